/**
 * Resumable file uploads to a thread — or of the user's avatar (`purpose: 'avatar'`) — over tus (tus-js-client), for browsers and Node (DESIGN §7, §8).
 *
 * An upload survives dropped connections (retry with backoff, resuming from the server's offset),
 * pauses and resumes on request, and picks up where it left off after a page reload or a process
 * restart: the upload URL is remembered by the file's fingerprint — in IndexedDB in the browser
 * (`caucus-uploads`; not tus's default `localStorage`, tus-js-client #664), in
 * `<stateDir>/uploads.json` in Node — and forgotten once the upload is done. The tus side
 * (`tus-driver.ts`, with tus-js-client) is loaded when the first upload starts.
 *
 * Like the rest of the client it exposes plain `current` state and `subscribe()`, so any UI can
 * adapt it.
 */
import type { FileInfo, ThreadId } from '@caucus/schema';
import { toFailure, UploadFailed, type UploadFailure } from './failure.js';
import type { TusHandle, UploadHost } from './tus-driver.js';
import type { UrlStorage } from './url-storage.js';

export { UploadFailed, type UploadFailure } from './failure.js';
export type { PreviousUpload, StoredUpload, UrlStorage } from './url-storage.js';

/** A browser `File`/`Blob`, bytes in memory, or (Node) a file on disk. */
export type UploadSource = Blob | Uint8Array | { path: string };

/** Bytes per PATCH request; what a cut can cost at most, even behind a proxy that buffers requests. */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
/**
 * Waits before each retry after a failure, in milliseconds. The count restarts whenever the
 * upload made progress, so these bound only a stretch of failures in a row (about two minutes).
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
];
/** An upload that sends nothing for this long is restarted from the server's offset. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export type UploadStatus = 'idle' | 'uploading' | 'paused' | 'done' | 'error' | 'cancelled';

/** What an avatar upload resolves with: the server stored its 300×300 version (`GET /api/users/:id/avatar`). */
export interface AvatarUploaded {
  purpose: 'avatar';
  name: string;
  size: number;
}

export interface UploadState<T = FileInfo> {
  status: UploadStatus;
  /** Bytes sent so far (some may still be in flight). */
  bytesSent: number;
  /** Bytes the server has confirmed. */
  bytesAccepted: number;
  bytesTotal: number | null;
  /**
   * The server's offset the upload last continued from: after a page reload or a process restart
   * (an upload begun earlier, found by the file's fingerprint), a pause, or a dropped connection.
   * Null while it never had to resume.
   */
  resumedFrom: number | null;
  /** Whether this upload continues one begun earlier (before a reload or restart). */
  pickedUp: boolean;
  /** Retries after failures or stalls. */
  retries: number;
  /** The tus upload URL, once the server made one. */
  uploadUrl: string | null;
  /** The finished file (for an avatar upload, {@link AvatarUploaded}), once `status` is `done`. */
  file: T | null;
  error: UploadFailure | null;
}

interface BaseUploadOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** An access or API token, or a function returning a current one (asked before every request). */
  token: string | (() => string | Promise<string>);
  file: UploadSource;
  /** Defaults to the file's own name (`File.name`, the path's base name). */
  name?: string;
  /** The declared MIME type; defaults to `Blob.type`. The server checks it against the bytes. */
  type?: string;
  chunkSizeBytes?: number;
  retryDelaysMs?: readonly number[];
  stallTimeoutMs?: number;
  /** Node: where upload URLs are remembered for resuming after a restart. */
  stateDir?: string;
  /** A URL store of your own (overrides `stateDir` and the browser's IndexedDB). */
  urlStorage?: UrlStorage;
}

/** A file for a thread. */
export interface ThreadUploadOptions extends BaseUploadOptions {
  threadId: ThreadId | string;
  purpose?: undefined;
}

/** The caller's avatar (a PNG, JPEG, WebP, GIF or AVIF image up to 10 MiB; no thread). */
export interface AvatarUploadOptions extends BaseUploadOptions {
  purpose: 'avatar';
  threadId?: undefined;
}

export type UploadOptions = ThreadUploadOptions | AvatarUploadOptions;

export interface FileUpload<T = FileInfo> {
  readonly current: UploadState<T>;
  /** Calls `listener` on every state change; returns the unsubscribe function. */
  subscribe(listener: (state: UploadState<T>) => void): () => void;
  /** Starts (or resumes a paused upload); resolves with the finished file. */
  start(): Promise<T>;
  /** Stops sending; `resume()` continues from the server's offset. */
  pause(): void;
  resume(): void;
  /** Stops and deletes the upload on the server. */
  cancel(): Promise<void>;
  /** Settles when the upload finishes, fails for good or is cancelled. */
  readonly done: Promise<T>;
}

export function createUpload(options: AvatarUploadOptions): FileUpload<AvatarUploaded>;
export function createUpload(options: ThreadUploadOptions): FileUpload;
export function createUpload(options: UploadOptions): FileUpload<FileInfo> | FileUpload<AvatarUploaded> {
  return new TusFileUpload(options) as FileUpload<FileInfo> | FileUpload<AvatarUploaded>;
}

type Finished = FileInfo | AvatarUploaded;

class TusFileUpload implements FileUpload<Finished> {
  readonly done: Promise<Finished>;
  readonly #options: UploadOptions;
  readonly #listeners = new Set<(state: UploadState<Finished>) => void>();
  #state: UploadState<Finished> = {
    status: 'idle',
    bytesSent: 0,
    bytesAccepted: 0,
    bytesTotal: null,
    resumedFrom: null,
    pickedUp: false,
    retries: 0,
    uploadUrl: null,
    file: null,
    error: null,
  };
  #tus: TusHandle | null = null;
  #preparing: Promise<void> | null = null;
  #stallTimer: ReturnType<typeof setTimeout> | null = null;
  #resolve!: (file: Finished) => void;
  #reject!: (err: Error) => void;

  constructor(options: UploadOptions) {
    this.#options = options;
    this.done = new Promise<Finished>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody has to await `done`; its rejection then is no crash.
    this.done.catch(() => undefined);
  }

  get current(): UploadState<Finished> {
    return this.#state;
  }

  subscribe(listener: (state: UploadState<Finished>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): Promise<Finished> {
    const { status } = this.#state;
    if (status === 'paused') this.resume();
    else if (status === 'idle' && !this.#preparing) {
      this.#set({ status: 'uploading' });
      this.#preparing = this.#prepare().catch((err: unknown) => this.#fail(toFailure(err)));
    }
    return this.done;
  }

  pause(): void {
    if (this.#state.status !== 'uploading') return;
    this.#set({ status: 'paused' });
    this.#clearStall();
    void this.#tus?.abort(false);
  }

  resume(): void {
    if (this.#state.status !== 'paused') return;
    this.#set({ status: 'uploading' });
    // Before tus exists (paused while preparing), #prepare starts it.
    if (this.#tus) {
      this.#armStall();
      this.#tus.start();
    }
  }

  async cancel(): Promise<void> {
    const { status } = this.#state;
    if (status === 'done' || status === 'cancelled') return;
    this.#clearStall();
    this.#set({ status: 'cancelled' });
    this.#reject(new UploadFailed({ code: 'cancelled', message: 'upload cancelled', status: null }));
    await this.#preparing;
    await this.#tus?.abort(true);
  }

  async #prepare(): Promise<void> {
    const o = this.#options;
    const { prepareTus } = await import('./tus-driver.js');
    const host: UploadHost = {
      state: () => this.#state,
      set: (patch) => this.#set(patch),
      token: () => this.#token(),
      armStall: () => this.#armStall(),
      clearStall: () => this.#clearStall(),
      finish: (file, uploadUrl) => {
        this.#set({ status: 'done', file, bytesAccepted: file.size, bytesSent: file.size, uploadUrl });
        this.#resolve(file);
      },
      fail: (failure) => this.#fail(failure),
    };
    this.#tus = await prepareTus(
      {
        ...o,
        chunkSizeBytes: o.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES,
        retryDelaysMs: o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      },
      host,
    );
    if (this.#state.status !== 'uploading') return;
    this.#armStall();
    this.#tus.start();
  }

  #fail(failure: UploadFailure): void {
    if (this.#state.status === 'cancelled' || this.#state.status === 'done') return;
    this.#clearStall();
    this.#set({ status: 'error', error: failure });
    this.#reject(new UploadFailed(failure));
  }

  async #token(): Promise<string> {
    const { token } = this.#options;
    return typeof token === 'function' ? token() : token;
  }

  #armStall(): void {
    this.#clearStall();
    const timeout = this.#options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.#stallTimer = setTimeout(() => {
      const upload = this.#tus;
      if (this.#state.status !== 'uploading' || !upload) return;
      this.#set({ retries: this.#state.retries + 1 });
      void upload.abort(false).then(() => {
        if (this.#state.status !== 'uploading') return;
        this.#armStall();
        upload.start();
      });
    }, timeout);
  }

  #clearStall(): void {
    if (this.#stallTimer !== null) clearTimeout(this.#stallTimer);
    this.#stallTimer = null;
  }

  #set(patch: Partial<UploadState<Finished>>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of [...this.#listeners]) listener(this.#state);
  }
}
