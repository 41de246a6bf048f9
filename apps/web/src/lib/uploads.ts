/**
 * The browser's uploads: every file given to a thread is kept in IndexedDB first (pending-files),
 * then sent over tus by `createUpload` from @caucus/client. One tab sends a given file (a Web Lock
 * per file; the others show it as sending elsewhere and take over if that tab closes). Uploads go
 * on while the user moves between screens; a reload or a new visit to the thread resumes the
 * unfinished ones from the server's offset; a failed one is retried when the browser comes back
 * online, or by the user.
 */
import { createSignal, type Accessor } from 'solid-js';
import { createUpload, type FileUpload, type UploadState } from '@caucus/client';
import type { AppSession } from './session';
import { PendingFiles, type PendingFile } from './pending-files';

export interface UploadItem {
  id: string;
  threadId: string;
  name: string;
  size: number;
  /** The upload's state in this tab; null while another tab of this browser sends it. */
  state: UploadState | null;
  paused: boolean;
}

export interface Uploads {
  readonly items: Accessor<UploadItem[]>;
  /** Keeps the files and starts sending them. */
  add(threadId: string, files: readonly File[]): Promise<void>;
  /** Picks up what an earlier page left unfinished for this thread. */
  resumeThread(threadId: string): Promise<void>;
  pause(id: string): void;
  resume(id: string): void;
  retry(id: string): void;
  cancel(id: string): Promise<void>;
}

interface Running {
  upload: FileUpload | null;
  /** Wakes a failed upload for another attempt. */
  wake: (() => void) | null;
  cancelled: boolean;
}

const managers = new Map<string, Uploads>();

/** The uploads of this session's user (one manager per user and page). */
export function uploadsOf(session: AppSession): Uploads {
  let manager = managers.get(session.me.id);
  if (!manager) {
    manager = createUploads(session);
    managers.set(session.me.id, manager);
  }
  return manager;
}

function createUploads(session: AppSession): Uploads {
  const store = new PendingFiles(`caucus-files:${session.me.id}`);
  const [items, setItems] = createSignal<UploadItem[]>([]);
  const running = new Map<string, Running>();

  const update = (id: string, patch: Partial<UploadItem>) =>
    setItems((list) => list.map((item) => (item.id === id ? { ...item, ...patch } : item)));
  const drop = (id: string) => {
    running.delete(id);
    setItems((list) => list.filter((item) => item.id !== id));
  };

  /** One attempt: resolves true when the file is on the server, false when cancelled or failed. */
  const attempt = async (entry: PendingFile, run: Running): Promise<boolean> => {
    const upload = createUpload({
      url: location.origin,
      token: () => session.auth.token(),
      threadId: entry.threadId,
      file: entry.file,
    });
    run.upload = upload;
    upload.subscribe((state) => update(entry.id, { state }));
    update(entry.id, { state: upload.current });
    const paused = (await store.get(entry.id))?.paused ?? false;
    if (!paused) void upload.start().catch(() => undefined);
    try {
      await upload.done;
      return true;
    } catch {
      return false;
    }
  };

  /** Sends `entry` while this tab holds its lock; the lock waits while another tab sends it. */
  const send = (entry: PendingFile) => {
    if (running.has(entry.id)) return;
    const run: Running = { upload: null, wake: null, cancelled: false };
    running.set(entry.id, run);
    const name = `caucus-upload:${entry.id}`;
    const locked = async () => {
      // The other tab may have finished or cancelled it meanwhile.
      const current = await store.get(entry.id);
      if (!current || run.cancelled) return drop(entry.id);
      update(entry.id, { paused: current.paused });
      for (;;) {
        if (await attempt(current, run)) {
          await store.remove(entry.id);
          return drop(entry.id);
        }
        if (run.cancelled) return drop(entry.id);
        await new Promise<void>((wake) => (run.wake = wake));
        run.wake = null;
        if (run.cancelled) return drop(entry.id);
      }
    };
    void navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
      if (lock) return locked();
      // Another tab sends it: show it as such, and take over should that tab go away.
      update(entry.id, { state: null });
      void navigator.locks.request(name, locked);
    });
  };

  const show = (entry: PendingFile) => {
    if (items().some((item) => item.id === entry.id)) return;
    const { id, threadId, file, paused } = entry;
    setItems((list) => [...list, { id, threadId, name: file.name, size: file.size, state: null, paused }]);
  };

  addEventListener('online', () => {
    for (const run of running.values()) run.wake?.();
  });

  return {
    items,
    async add(threadId, files) {
      for (const file of files) {
        const entry: PendingFile = {
          id: crypto.randomUUID(),
          threadId,
          file,
          addedAt: Date.now(),
          paused: false,
        };
        await store.put(entry);
        show(entry);
        send(entry);
      }
    },
    async resumeThread(threadId) {
      for (const entry of await store.ofThread(threadId)) {
        show(entry);
        send(entry);
      }
    },
    pause(id) {
      update(id, { paused: true });
      void store.setPaused(id, true);
      running.get(id)?.upload?.pause();
    },
    resume(id) {
      update(id, { paused: false });
      void store.setPaused(id, false);
      const upload = running.get(id)?.upload;
      if (upload?.current.status === 'idle') void upload.start().catch(() => undefined);
      else upload?.resume();
    },
    retry(id) {
      running.get(id)?.wake?.();
    },
    async cancel(id) {
      const run = running.get(id);
      if (run) run.cancelled = true;
      await store.remove(id);
      if (run?.upload) await run.upload.cancel().catch(() => undefined);
      run?.wake?.();
      drop(id);
    },
  };
}
