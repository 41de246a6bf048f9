/**
 * The part of an upload that talks tus: it builds the tus-js-client upload for a file, finds an
 * earlier upload of the same file to resume, and reports progress, retries and the result to the
 * {@link UploadHost} (`upload.ts`). Loaded by a dynamic import when the first upload starts, so
 * tus-js-client (a third of the client's size) is not in a page's initial JavaScript.
 */
import * as tus from 'tus-js-client';
import { AVATAR_PURPOSE, FILES_PATH, UPLOAD_METADATA, type FileInfo, type UploadId } from '@caucus/schema';
import { failureFromResponse, toFailure, UploadFailed, type UploadFailure } from './failure.js';
import { hasIndexedDb, IdbUrlStorage } from './idb-url-storage.js';
import type { AvatarUploaded, UploadOptions, UploadSource, UploadState } from './upload.js';
import type { UrlStorage } from './url-storage.js';

/** What the upload (`upload.ts`) lends the tus side: its state and its ways to change it. */
export interface UploadHost {
  state(): UploadState<FileInfo | AvatarUploaded>;
  set(patch: Partial<UploadState<FileInfo | AvatarUploaded>>): void;
  token(): Promise<string>;
  armStall(): void;
  clearStall(): void;
  finish(file: FileInfo | AvatarUploaded, uploadUrl: string | null): void;
  fail(failure: UploadFailure): void;
}

/** Upload options with the defaults filled in by `upload.ts`. */
export type DriverOptions = UploadOptions & Required<Pick<UploadOptions, 'chunkSizeBytes' | 'retryDelaysMs'>>;

/** The tus upload as the host drives it. */
export interface TusHandle {
  start(): void;
  abort(terminate: boolean): Promise<void>;
  readonly url: string | null;
}

/** Builds the tus upload for `o.file` and picks up an earlier one of the same file; does not start it. */
export async function prepareTus(o: DriverOptions, host: UploadHost): Promise<TusHandle> {
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
  const urlStorage = await chooseUrlStorage(o);
  // Where the file goes: a thread, or (no thread) the caller's avatar.
  const target =
    o.purpose === 'avatar'
      ? { [UPLOAD_METADATA.purpose]: AVATAR_PURPOSE }
      : { [UPLOAD_METADATA.threadId]: o.threadId };
  const scope = o.purpose === 'avatar' ? 'avatar' : `thread:${o.threadId}`;
  let fingerprint: string | null = null;
  const upload: tus.Upload = new tus.Upload(input, {
    endpoint: new URL(`${FILES_PATH}/`, o.url).toString(),
    metadata: {
      [UPLOAD_METADATA.filename]: name ?? 'file',
      ...target,
      ...(type ? { [UPLOAD_METADATA.filetype]: type } : {}),
    },
    chunkSize: o.chunkSizeBytes,
    retryDelays: [...o.retryDelaysMs],
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    ...(urlStorage
      ? { urlStorage: urlStorage as unknown as NonNullable<tus.UploadOptions['urlStorage']> }
      : {}),
    ...(fileReader ? { fileReader } : {}),
    // The same file sent to two threads (or as an avatar) is two uploads.
    fingerprint: async (file, options) => {
      const own = (file as unknown as { fingerprint?: unknown }).fingerprint;
      const base =
        typeof own === 'string'
          ? `${own}-${options.endpoint}`
          : await tus.defaultOptions.fingerprint(file, options);
      fingerprint = base ? `${base}::${scope}` : null;
      return fingerprint as string;
    },
    onBeforeRequest: async (req) => {
      req.setHeader('Authorization', `Bearer ${await host.token()}`);
    },
    onAfterResponse: (req, res) => onResponse(host, req, res),
    onShouldRetry: (err, attempt) => shouldRetry(o, host, err, attempt),
    onProgress: (sent, total) => {
      host.armStall();
      host.set({ bytesSent: sent, bytesTotal: total });
    },
    onChunkComplete: (_chunk, accepted, total) => host.set({ bytesAccepted: accepted, bytesTotal: total }),
    onSuccess: () => void succeed(),
    onError: (err) => host.fail(toFailure(err)),
  });
  host.set({ bytesTotal: size });

  const succeed = async (): Promise<void> => {
    host.clearStall();
    const url = upload.url ?? host.state().uploadUrl;
    const id = url ? (new URL(url).pathname.split('/').pop() as UploadId | undefined) : undefined;
    if (!id) return host.fail({ code: 'internal', message: 'the server gave no upload URL', status: null });
    try {
      // An avatar is stored by the time tus reports success; there is no file to ask about.
      const file: FileInfo | AvatarUploaded =
        o.purpose === 'avatar'
          ? { purpose: 'avatar', name: name ?? 'avatar', size }
          : await fetchInfo(o, host, id);
      // tus forgets the entry it resumed or made; older entries of the same file go too.
      if (urlStorage && fingerprint !== null) await forget(urlStorage, fingerprint);
      host.finish(file, url);
    } catch (err) {
      host.fail(toFailure(err));
    }
  };

  const previous = await upload.findPreviousUploads();
  const newest = previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
  if (newest) upload.resumeFromPreviousUpload(newest);
  return {
    start: () => upload.start(),
    abort: (terminate) => upload.abort(terminate),
    get url() {
      return upload.url;
    },
  };
}

/** `urlStorage` if given; `<stateDir>/uploads.json` in Node; IndexedDB in a browser. */
async function chooseUrlStorage(o: UploadOptions): Promise<UrlStorage | undefined> {
  if (o.urlStorage) return o.urlStorage;
  if (o.stateDir !== undefined) {
    const { FileUrlStorage } = await import('./node-url-storage.js');
    return new FileUrlStorage(o.stateDir);
  }
  return hasIndexedDb() ? new IdbUrlStorage() : undefined;
}

async function forget(storage: UrlStorage, fingerprint: string): Promise<void> {
  try {
    for (const entry of await storage.findUploadsByFingerprint(fingerprint))
      await storage.removeUpload(entry.urlStorageKey);
  } catch {
    // A stale entry only makes a later upload of the same file ask the server, which says 404.
  }
}

function onResponse(host: UploadHost, req: tus.HttpRequest, res: tus.HttpResponse): void {
  const method = req.getMethod();
  if (method === 'POST' && res.getStatus() === 201) {
    const location = res.getHeader('Location');
    if (location) host.set({ uploadUrl: new URL(location, req.getURL()).toString() });
  } else if (method === 'HEAD' && res.getStatus() === 200) {
    const offset = Number.parseInt(res.getHeader('Upload-Offset') ?? '', 10);
    // The first HEAD before any upload URL of ours means a remembered upload was picked up.
    const pickedUp = host.state().pickedUp || host.state().uploadUrl === null;
    host.set({
      uploadUrl: req.getURL(),
      pickedUp,
      ...(Number.isFinite(offset) ? { resumedFrom: offset, bytesAccepted: offset } : {}),
    });
  }
}

function shouldRetry(o: DriverOptions, host: UploadHost, err: tus.DetailedError, attempt: number): boolean {
  if (host.state().status !== 'uploading') return false;
  const status = err.originalResponse?.getStatus() ?? 0;
  const retry =
    status === 0 ||
    status >= 500 ||
    status === 409 ||
    status === 423 ||
    // A token function gets one chance to hand out a fresh token.
    (status === 401 && typeof o.token === 'function' && attempt === 0);
  if (retry) host.set({ retries: host.state().retries + 1 });
  return retry;
}

/** The finished file's metadata, retried like the upload itself on network and server errors. */
async function fetchInfo(o: DriverOptions, host: UploadHost, id: UploadId): Promise<FileInfo> {
  const delays = o.retryDelaysMs;
  for (let attempt = 0; ; attempt++) {
    let failure: UploadFailure;
    try {
      const res = await fetch(new URL(`/api/files/${id}`, o.url), {
        headers: { Authorization: `Bearer ${await host.token()}` },
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
