/**
 * Resumable file uploads to a thread over tus (tus-js-client), for browsers and Node (DESIGN §7, §8).
 *
 * An upload survives dropped connections (retry with backoff, resuming from the server's offset),
 * pauses and resumes on request, and picks up where it left off after a page reload or a process
 * restart: the upload URL is remembered by the file's fingerprint — in `localStorage` in the
 * browser (tus's default), in `<stateDir>/uploads.json` in Node.
 *
 * Like the rest of the client it exposes plain `current` state and `subscribe()`, so any UI can
 * adapt it.
 */
import * as tus from 'tus-js-client';
import { FILES_PATH, UPLOAD_METADATA, type FileInfo, type ThreadId, type UploadId } from '@caucus/schema';
import { failureFromResponse, toFailure, UploadFailed, type UploadFailure } from './failure.js';
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

export interface UploadState {
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
  /** The finished file, once `status` is `done`. */
  file: FileInfo | null;
  error: UploadFailure | null;
}

export interface UploadOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** An access or API token, or a function returning a current one (asked before every request). */
  token: string | (() => string | Promise<string>);
  threadId: ThreadId | string;
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
  /** A URL store of your own (overrides `stateDir` and the browser's `localStorage`). */
  urlStorage?: UrlStorage;
}

export interface FileUpload {
  readonly current: UploadState;
  /** Calls `listener` on every state change; returns the unsubscribe function. */
  subscribe(listener: (state: UploadState) => void): () => void;
  /** Starts (or resumes a paused upload); resolves with the finished file. */
  start(): Promise<FileInfo>;
  /** Stops sending; `resume()` continues from the server's offset. */
  pause(): void;
  resume(): void;
  /** Stops and deletes the upload on the server. */
  cancel(): Promise<void>;
  /** Settles when the upload finishes, fails for good or is cancelled. */
  readonly done: Promise<FileInfo>;
}

export function createUpload(options: UploadOptions): FileUpload {
  return new TusFileUpload(options);
}

class TusFileUpload implements FileUpload {
  readonly done: Promise<FileInfo>;
  readonly #options: UploadOptions;
  readonly #listeners = new Set<(state: UploadState) => void>();
  #state: UploadState = {
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
  #tus: tus.Upload | null = null;
  #preparing: Promise<void> | null = null;
  #stallTimer: ReturnType<typeof setTimeout> | null = null;
  #resolve!: (file: FileInfo) => void;
  #reject!: (err: Error) => void;

  constructor(options: UploadOptions) {
    this.#options = options;
    this.done = new Promise<FileInfo>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody has to await `done`; its rejection then is no crash.
    this.done.catch(() => undefined);
  }

  get current(): UploadState {
    return this.#state;
  }

  subscribe(listener: (state: UploadState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): Promise<FileInfo> {
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
    let input: tus.Upload['file'];
    let name = o.name;
    let size: number;
    let fileReader: tus.UploadOptions['fileReader'] | undefined;
    if (isPath(o.file)) {
      const { openPath, pathFileReader } = await import('./node-source.js');
      const opened = await openPath(o.file.path);
      input = opened as unknown as tus.Upload['file'];
      fileReader = pathFileReader;
      name ??= opened.name;
      size = opened.size;
    } else if (o.file instanceof Uint8Array) {
      input = toBuffer(o.file);
      size = o.file.byteLength;
    } else {
      input = o.file;
      name ??= (o.file as Blob & { name?: string }).name;
      size = o.file.size;
    }
    const type = o.type ?? (isPath(o.file) || o.file instanceof Uint8Array ? '' : o.file.type);
    let urlStorage = o.urlStorage;
    if (!urlStorage && o.stateDir !== undefined) {
      const { FileUrlStorage } = await import('./node-url-storage.js');
      urlStorage = new FileUrlStorage(o.stateDir);
    }
    const threadId = o.threadId;
    const upload = new tus.Upload(input, {
      endpoint: new URL(`${FILES_PATH}/`, o.url).toString(),
      metadata: {
        [UPLOAD_METADATA.filename]: name ?? 'file',
        [UPLOAD_METADATA.threadId]: threadId,
        ...(type ? { [UPLOAD_METADATA.filetype]: type } : {}),
      },
      chunkSize: o.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES,
      retryDelays: [...(o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)],
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      ...(urlStorage
        ? { urlStorage: urlStorage as unknown as NonNullable<tus.UploadOptions['urlStorage']> }
        : {}),
      ...(fileReader ? { fileReader } : {}),
      // The same file sent to two threads is two uploads.
      fingerprint: async (file, options) => {
        const own = (file as unknown as { fingerprint?: unknown }).fingerprint;
        const base =
          typeof own === 'string'
            ? `${own}-${options.endpoint}`
            : await tus.defaultOptions.fingerprint(file, options);
        return (base ? `${base}::thread:${threadId}` : null) as string;
      },
      onBeforeRequest: async (req) => {
        req.setHeader('Authorization', `Bearer ${await this.#token()}`);
      },
      onAfterResponse: (req, res) => this.#onResponse(req, res),
      onShouldRetry: (err, attempt) => this.#shouldRetry(err, attempt),
      onProgress: (sent, total) => {
        this.#armStall();
        this.#set({ bytesSent: sent, bytesTotal: total });
      },
      onChunkComplete: (_chunk, accepted, total) => this.#set({ bytesAccepted: accepted, bytesTotal: total }),
      onSuccess: () => void this.#succeed(),
      onError: (err) => this.#fail(toFailure(err)),
    });
    this.#tus = upload;
    this.#set({ bytesTotal: size });
    const previous = await upload.findPreviousUploads();
    const newest = previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
    if (newest) upload.resumeFromPreviousUpload(newest);
    if (this.#state.status !== 'uploading') return;
    this.#armStall();
    upload.start();
  }

  #onResponse(req: tus.HttpRequest, res: tus.HttpResponse): void {
    const method = req.getMethod();
    if (method === 'POST' && res.getStatus() === 201) {
      const location = res.getHeader('Location');
      if (location) this.#set({ uploadUrl: new URL(location, req.getURL()).toString() });
    } else if (method === 'HEAD' && res.getStatus() === 200) {
      const offset = Number.parseInt(res.getHeader('Upload-Offset') ?? '', 10);
      // The first HEAD before any upload URL of ours means a remembered upload was picked up.
      const pickedUp = this.#state.pickedUp || this.#state.uploadUrl === null;
      this.#set({
        uploadUrl: req.getURL(),
        pickedUp,
        ...(Number.isFinite(offset) ? { resumedFrom: offset, bytesAccepted: offset } : {}),
      });
    }
  }

  #shouldRetry(err: tus.DetailedError, attempt: number): boolean {
    if (this.#state.status !== 'uploading') return false;
    const status = err.originalResponse?.getStatus() ?? 0;
    const retry =
      status === 0 ||
      status >= 500 ||
      status === 409 ||
      status === 423 ||
      // A token function gets one chance to hand out a fresh token.
      (status === 401 && typeof this.#options.token === 'function' && attempt === 0);
    if (retry) this.#set({ retries: this.#state.retries + 1 });
    return retry;
  }

  async #succeed(): Promise<void> {
    this.#clearStall();
    const url = this.#tus?.url ?? this.#state.uploadUrl;
    const id = url ? (new URL(url).pathname.split('/').pop() as UploadId | undefined) : undefined;
    if (!id) return this.#fail({ code: 'internal', message: 'the server gave no upload URL', status: null });
    try {
      const file = await this.#fetchInfo(id);
      this.#set({ status: 'done', file, bytesAccepted: file.size, bytesSent: file.size, uploadUrl: url });
      this.#resolve(file);
    } catch (err) {
      this.#fail(toFailure(err));
    }
  }

  /** The finished file's metadata, retried like the upload itself on network and server errors. */
  async #fetchInfo(id: UploadId): Promise<FileInfo> {
    const delays = this.#options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      let failure: UploadFailure;
      try {
        const res = await fetch(new URL(`/api/files/${id}`, this.#options.url), {
          headers: { Authorization: `Bearer ${await this.#token()}` },
        });
        if (res.ok) return (await res.json()) as FileInfo;
        failure = failureFromResponse(res.status, await res.text());
        // 404 is retried too: when a resumed upload's HEAD finds every byte already received, tus
        // reports success while the server may still be checking the file (the finishing PATCH
        // was cut off mid-check), and the file is listed only once that check has passed.
        if (res.status < 500 && res.status !== 404) throw new UploadFailed(failure);
      } catch (err) {
        if (err instanceof UploadFailed) throw err;
        failure = toFailure(err);
      }
      const delay = delays[attempt];
      if (delay === undefined) throw new UploadFailed(failure);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
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

  #set(patch: Partial<UploadState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of [...this.#listeners]) listener(this.#state);
  }
}

function isPath(source: UploadSource): source is { path: string } {
  return typeof (source as { path?: unknown }).path === 'string' && !(source instanceof Uint8Array);
}

/** tus-js-client's Node build wants a Buffer, not any Uint8Array. */
function toBuffer(bytes: Uint8Array): tus.Upload['file'] {
  const NodeBuffer = (
    globalThis as { Buffer?: { from(b: ArrayBufferLike, o: number, l: number): Uint8Array } }
  ).Buffer;
  return (
    NodeBuffer ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes
  ) as tus.Upload['file'];
}
