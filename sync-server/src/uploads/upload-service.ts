/**
 * Uploads as Caucus sees them (DESIGN §7): the service the routes and the tus server use. It
 * delegates to one module per concept — limits and admission `quota.ts`, finishing `finishing.ts`,
 * attaching and crash recovery `attaching.ts`, reading/listing/deleting `file-access.ts` — and
 * runs each upload's operations on one queue (`serial-queue.ts`). Expiry is `expiry.ts`, the tus
 * protocol itself `tus.ts`, the HTTP routes `routes.ts`.
 */
import type { FileInfo, FileStats, ThreadId, UploadId, UserId } from '@caucus/schema';
import { Listeners } from '../listeners.js';
import type { Logger } from '../logger.js';
import type { UploadCounters } from '../metrics.js';
import type { Db } from '../storage/db.js';
import { recoverUploads, settleUploads } from './attaching.js';
import type { ThreadAttachments } from './attachments.js';
import { removeExpired, type ExpiryDeps } from './expiry.js';
import {
  deleteUpload,
  fileThumbnail,
  findReadableFile,
  listThreadFiles,
  readableFile,
  uploadForUploader,
} from './file-access.js';
import { finishUpload, type FinishDeps, type UploadFinished } from './finishing.js';
import type { UploadMetadata } from './metadata.js';
import { admitUpload, uploadStats, type UploadLimits } from './quota.js';
import { SerialQueue } from './serial-queue.js';
import type { Thumbnails } from './thumbnails.js';
import type { UploadBytes } from './upload-bytes.js';
import { UploadRepo, type FilePosition, type UploadRow } from './upload-repo.js';

export { ACTIVE_UPLOAD_WINDOW_MS, type UploadLimits } from './quota.js';
export type { UploadFinished } from './finishing.js';

export interface UploadServiceOptions {
  db: Db;
  bytes: UploadBytes;
  attachments: ThreadAttachments;
  thumbnails: Thumbnails;
  limits: UploadLimits;
  logger: Logger;
  now?: () => number;
  /** Counts uploads started, finished, refused and expired. */
  metrics?: UploadCounters;
}

export class UploadService {
  readonly limits: UploadLimits;
  readonly #bytes: UploadBytes;
  readonly #now: () => number;
  readonly #finished: Listeners<UploadFinished>;
  /** Per-upload queue: finishing, deleting and expiring one upload never overlap. */
  readonly #queue = new SerialQueue();
  /** Everything the concept modules work with (each takes the part it needs). */
  readonly #deps: FinishDeps & { thumbnails: Thumbnails; limits: UploadLimits };
  readonly #expiry: ExpiryDeps;

  constructor(options: UploadServiceOptions) {
    this.limits = options.limits;
    this.#bytes = options.bytes;
    this.#now = options.now ?? Date.now;
    this.#finished = new Listeners((err) => options.logger.error({ err }, 'upload listener failed'));
    const repo = new UploadRepo(options.db);
    const count = (outcome: Parameters<FinishDeps['count']>[0], n = 1) =>
      options.metrics?.uploads.inc({ outcome }, n);
    this.#deps = {
      db: options.db,
      repo,
      bytes: options.bytes,
      attachments: options.attachments,
      thumbnails: options.thumbnails,
      limits: options.limits,
      queue: this.#queue,
      logger: options.logger,
      now: this.#now,
      count,
      emitFinished: (event) => this.#finished.emit(event),
    };
    this.#expiry = {
      repo,
      bytes: options.bytes,
      serial: (id, fn) => this.#queue.run(id, fn),
      logger: options.logger,
      count: (n) => count('expired', n),
    };
  }

  /**
   * Listens for finished uploads — where thread members get notified. Listeners run after the
   * file is committed and attached; a failing one is logged and does not fail the upload.
   */
  onUploadFinished(listener: (event: UploadFinished) => void): () => void {
    return this.#finished.add(listener);
  }

  /**
   * Admits a new upload (tus creation): write access to the thread, under the concurrency limit
   * and the quota. The row is inserted in the same transaction as the checks.
   */
  begin(userId: UserId, id: UploadId, meta: UploadMetadata, declaredSize: number | null): void {
    const now = this.#now();
    try {
      admitUpload(this.#deps, userId, id, meta, declaredSize, now);
    } catch (err) {
      this.#deps.count('refused');
      throw err;
    }
    this.#deps.count('started');
  }

  /** Forgets an upload whose creation failed after it was admitted. */
  abandon(id: UploadId): Promise<void> {
    return this.#queue.run(id, async () => {
      const row = this.#deps.repo.get(id);
      if (!row || row.status !== 'uploading') return;
      await this.#bytes.remove(id);
      this.#deps.repo.delete(id);
    });
  }

  /**
   * The unfinished-or-finished upload `id` as its uploader sees it over tus (HEAD, PATCH):
   * `not-found` for anyone else, `forbidden` for a PATCH without write access any more.
   */
  forUploader(userId: UserId, id: UploadId, op: 'status' | 'write'): UploadRow {
    return uploadForUploader(this.#deps, userId, id, op);
  }

  /** A finished file `userId` may read (read access to its thread); `not-found` otherwise. */
  readable(userId: UserId, id: UploadId): FileInfo {
    return readableFile(this.#deps, userId, id);
  }

  /** {@link readable}, or null for a file that is unfinished, unknown or not the caller's to read. */
  findReadable(userId: UserId, id: UploadId): FileInfo | null {
    return findReadableFile(this.#deps, userId, id);
  }

  /** Where the bytes of a readable file are. */
  localPath(id: UploadId): string {
    return this.#bytes.localPath(id);
  }

  /** The thumbnail of a readable image, or `not-found` when it has none. */
  thumbnail(userId: UserId, id: UploadId): Promise<string> {
    return fileThumbnail(this.#deps, userId, id);
  }

  /** Finished files of a thread `userId` can read; `not-found` for a thread they cannot see. */
  list(
    userId: UserId,
    threadId: ThreadId,
    options: { limit?: number; after?: FilePosition } = {},
  ): FileInfo[] {
    return listThreadFiles(this.#deps, userId, threadId, options);
  }

  stats(userId: UserId): FileStats {
    return uploadStats(this.#deps, userId, this.#now());
  }

  /**
   * Finishes an upload whose bytes are all in: sniffs and hashes them, refuses a type that is not
   * allowed or not what was declared (removing the bytes), records the file, attaches it to the
   * thread and tells the listeners. Idempotent: finishing a finished upload returns it again.
   */
  finish(id: UploadId): Promise<FileInfo> {
    return this.#queue.run(id, () => finishUpload(this.#deps, id));
  }

  /**
   * Deletes an upload: the uploader (with write access to the thread) or an owner of its
   * workspace; a finished file is also removed from the thread's attachments.
   */
  delete(userId: UserId, id: UploadId): Promise<void> {
    return this.#queue.run(id, () => deleteUpload(this.#deps, userId, id));
  }

  /**
   * Removes unfinished uploads whose expiry has passed; returns how many. The recurring
   * `uploads-expiry` job runs it (`expiry.ts`).
   */
  cleanupExpired(now: number = this.#now(), signal?: AbortSignal): Promise<number> {
    return removeExpired(this.#expiry, now, signal);
  }

  /**
   * After a restart: finishes uploads whose bytes were all in when the server stopped, attaches
   * finished files that were not attached yet, and removes bytes no row refers to.
   */
  recover(): Promise<void> {
    return recoverUploads(this.#deps, (id) => this.finish(id));
  }

  /** Attaches finished files whose attachment failed (the thread document could not be written). */
  retryAttachments(): Promise<void> {
    return settleUploads(this.#deps, null);
  }

  /** Waits for running operations. */
  stop(): Promise<void> {
    return this.#queue.drain();
  }
}
