/**
 * Uploads as Caucus sees them (DESIGN §7): who may start, continue, read and delete one; what
 * happens when one finishes (verify, record, attach, notify); quota and concurrency; and recovery
 * after a crash. Expiry is `expiry.ts`, the tus protocol itself `tus.ts`, the HTTP routes `routes.ts`.
 */
import {
  type FileInfo,
  type FileStats,
  type ThreadId,
  type UploadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import { Listeners } from '../listeners.js';
import type { Logger } from '../logger.js';
import type { UploadCounters, UploadOutcome } from '../metrics.js';
import type { Db } from '../storage/db.js';
import { docAccess } from '../workspaces/access.js';
import type { ThreadAttachments } from './attachments.js';
import { removeExpired, type ExpiryDeps } from './expiry.js';
import { inspectFile } from './inspect.js';
import type { UploadMetadata } from './metadata.js';
import type { Thumbnails } from './thumbnails.js';
import type { UploadBytes } from './upload-bytes.js';
import { toFileInfo, UploadRepo, type FilePosition, type UploadRow } from './upload-repo.js';

export interface UploadLimits {
  maxUploadBytes: number;
  expiryMs: number;
  quotaBytes: number;
  maxConcurrentUploads: number;
}

/** Emitted once a file is verified, recorded and attached: the hook for notifying thread members. */
export interface UploadFinished {
  file: FileInfo;
  workspaceId: WorkspaceId;
}

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

/**
 * An unfinished upload counts as in progress (against the concurrency limit) until it has been
 * idle this long; a paused or abandoned one then stops blocking new uploads, though it keeps its
 * quota reservation until it expires.
 */
export const ACTIVE_UPLOAD_WINDOW_MS = 10 * 60 * 1000;

export class UploadService {
  readonly limits: UploadLimits;
  readonly #repo: UploadRepo;
  readonly #db: Db;
  readonly #bytes: UploadBytes;
  readonly #attachments: ThreadAttachments;
  readonly #thumbnails: Thumbnails;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #finished: Listeners<UploadFinished>;
  /** Per-upload queue: finishing, deleting and expiring one upload never overlap. */
  readonly #queues = new Map<UploadId, Promise<unknown>>();
  readonly #count: (outcome: UploadOutcome, n?: number) => void;
  readonly #expiry: ExpiryDeps;

  constructor(options: UploadServiceOptions) {
    this.limits = options.limits;
    this.#db = options.db;
    this.#repo = new UploadRepo(options.db);
    this.#bytes = options.bytes;
    this.#attachments = options.attachments;
    this.#thumbnails = options.thumbnails;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#finished = new Listeners((err) => options.logger.error({ err }, 'upload listener failed'));
    this.#count = (outcome, n = 1) => options.metrics?.uploads.inc({ outcome }, n);
    this.#expiry = {
      repo: this.#repo,
      bytes: this.#bytes,
      serial: (id, fn) => this.#serial(id, fn),
      logger: this.#logger,
      count: (n) => this.#count('expired', n),
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
      this.#admit(userId, id, meta, declaredSize, now);
    } catch (err) {
      this.#count('refused');
      throw err;
    }
    this.#count('started');
  }

  #admit(userId: UserId, id: UploadId, meta: UploadMetadata, declaredSize: number | null, now: number): void {
    this.#db.transaction(() => {
      if (docAccess(this.#db, userId, { kind: 'thread', id: meta.threadId }) !== 'write') {
        throw new ApiError('forbidden', 'uploading needs write access to the thread');
      }
      if (
        this.#repo.activeCount(userId, now, now - ACTIVE_UPLOAD_WINDOW_MS) >= this.limits.maxConcurrentUploads
      ) {
        const freesAt = this.#repo.nextInactiveAt(userId, now, ACTIVE_UPLOAD_WINDOW_MS);
        throw new ApiError(
          'too-many-uploads',
          `at most ${this.limits.maxConcurrentUploads} unfinished uploads at a time; finish or cancel one first`,
          // Finishing or cancelling one frees a slot at once; left alone, this is when one frees itself.
          { retryAfterSeconds: freesAt === null ? 0 : (freesAt - now) / 1000 },
        );
      }
      const reserve = declaredSize ?? this.limits.maxUploadBytes;
      const used = this.#repo.quotaUsed(userId, now, this.limits.maxUploadBytes);
      if (used + reserve > this.limits.quotaBytes) {
        throw new ApiError(
          'quota-exceeded',
          `this upload would exceed your storage quota (${used} of ${this.limits.quotaBytes} bytes used)`,
        );
      }
      this.#repo.insert({
        id,
        userId,
        threadId: meta.threadId,
        name: meta.filename,
        declaredType: meta.filetype,
        type: null,
        size: declaredSize,
        sha256: null,
        status: 'uploading',
        createdAt: now,
        touchedAt: now,
        expiresAt: now + this.limits.expiryMs,
      });
    });
  }

  /** Forgets an upload whose creation failed after it was admitted. */
  abandon(id: UploadId): Promise<void> {
    return this.#serial(id, async () => {
      const row = this.#repo.get(id);
      if (!row || row.status !== 'uploading') return;
      await this.#bytes.remove(id);
      this.#repo.delete(id);
    });
  }

  /**
   * The unfinished-or-finished upload `id` as its uploader sees it over tus (HEAD, PATCH):
   * `not-found` for anyone else, `forbidden` for a PATCH without write access any more.
   */
  forUploader(userId: UserId, id: UploadId, op: 'status' | 'write'): UploadRow {
    const row = this.#repo.get(id);
    if (!row || row.userId !== userId) throw new ApiError('not-found', 'upload not found');
    if (row.status === 'uploading' && row.expiresAt <= this.#now())
      throw new ApiError('gone', 'upload expired');
    if (op === 'write' && row.status === 'uploading') {
      if (docAccess(this.#db, userId, { kind: 'thread', id: row.threadId }) !== 'write') {
        throw new ApiError('forbidden', 'uploading needs write access to the thread');
      }
      this.#repo.touch(id, this.#now());
    }
    return row;
  }

  /** A finished file `userId` may read (read access to its thread); `not-found` otherwise. */
  readable(userId: UserId, id: UploadId): FileInfo {
    const info = this.findReadable(userId, id);
    if (!info) throw new ApiError('not-found', 'file not found');
    return info;
  }

  /** {@link readable}, or null for a file that is unfinished, unknown or not the caller's to read. */
  findReadable(userId: UserId, id: UploadId): FileInfo | null {
    const row = this.#repo.get(id);
    const info = row ? toFileInfo(row) : null;
    if (!row || !info || docAccess(this.#db, userId, { kind: 'thread', id: row.threadId }) === 'none')
      return null;
    return info;
  }

  /** Where the bytes of a readable file are. */
  localPath(id: UploadId): string {
    return this.#bytes.localPath(id);
  }

  /** The thumbnail of a readable image, or `not-found` when it has none. */
  async thumbnail(userId: UserId, id: UploadId): Promise<string> {
    const info = this.readable(userId, id);
    const path = info.type.startsWith('image/')
      ? await this.#thumbnails.get(id, this.#bytes.localPath(id))
      : null;
    if (path === null) throw new ApiError('not-found', 'this file has no thumbnail');
    return path;
  }

  /** Finished files of a thread `userId` can read; `not-found` for a thread they cannot see. */
  list(
    userId: UserId,
    threadId: ThreadId,
    options: { limit?: number; after?: FilePosition } = {},
  ): FileInfo[] {
    if (docAccess(this.#db, userId, { kind: 'thread', id: threadId }) === 'none') {
      throw new ApiError('not-found', 'thread not found');
    }
    return this.#repo.listComplete(threadId, options);
  }

  stats(userId: UserId): FileStats {
    const now = this.#now();
    const groups = this.#repo.statsByType(userId);
    const byType: FileStats['byType'] = {};
    let count = 0;
    let bytes = 0;
    for (const g of groups) {
      byType[g.type] = { count: g.count, bytes: g.bytes };
      count += g.count;
      bytes += g.bytes;
    }
    return {
      count,
      bytes,
      byType,
      activeUploads: this.#repo.activeCount(userId, now, now - ACTIVE_UPLOAD_WINDOW_MS),
      maxConcurrentUploads: this.limits.maxConcurrentUploads,
      quotaUsedBytes: this.#repo.quotaUsed(userId, now, this.limits.maxUploadBytes),
      quotaBytes: this.limits.quotaBytes,
      maxUploadBytes: this.limits.maxUploadBytes,
    };
  }

  /**
   * Finishes an upload whose bytes are all in: sniffs and hashes them, refuses a type that is not
   * allowed or not what was declared (removing the bytes), records the file, attaches it to the
   * thread and tells the listeners. Idempotent: finishing a finished upload returns it again.
   */
  finish(id: UploadId): Promise<FileInfo> {
    return this.#serial(id, () => this.#finish(id));
  }

  async #finish(id: UploadId): Promise<FileInfo> {
    const row = this.#repo.get(id);
    if (!row) throw new ApiError('not-found', 'upload not found');
    if (row.status === 'complete') {
      await this.#ensureAttached(row);
      return toFileInfo(row) as FileInfo;
    }
    if (docAccess(this.#db, row.userId, { kind: 'thread', id: row.threadId }) !== 'write') {
      await this.#discard(row, 'write access to the thread was lost');
      throw new ApiError('forbidden', 'uploading needs write access to the thread');
    }
    const progress = await this.#bytes.progress(id);
    const known = progress ? this.#bytes.takeDigest(id, progress.offset) : null;
    const inspection = await inspectFile(this.#bytes.localPath(id), row.declaredType, row.name, known);
    if (!inspection.ok) {
      await this.#discard(row, inspection.reason);
      throw new ApiError('unsupported-file-type', inspection.reason);
    }
    const completedAt = this.#now();
    const fields = { type: inspection.type, size: inspection.size, sha256: inspection.sha256, completedAt };
    if (!this.#repo.complete(id, fields)) throw new ApiError('not-found', 'upload not found');
    const done: UploadRow = { ...row, ...fields, status: 'complete' };
    await this.#ensureAttached(done);
    const file = toFileInfo(done) as FileInfo;
    const workspace = this.#repo.threadWorkspace(row.threadId, row.userId);
    this.#logger.info(
      { upload: id, thread: row.threadId, size: file.size, type: file.type },
      'upload finished',
    );
    this.#count('finished');
    if (workspace) this.#finished.emit({ file, workspaceId: workspace.workspaceId });
    return file;
  }

  async #ensureAttached(row: UploadRow): Promise<void> {
    if (row.attachedAt !== null) return;
    const info = toFileInfo(row);
    if (!info) return;
    await this.#attachments.attach(row.threadId, {
      id: info.id,
      name: info.name,
      size: info.size,
      type: info.type,
      sha256: info.sha256,
    });
    this.#repo.markAttached(row.id, this.#now());
  }

  async #discard(row: UploadRow, reason: string): Promise<void> {
    this.#logger.info({ upload: row.id, thread: row.threadId, reason }, 'upload refused');
    this.#count('refused');
    await this.#bytes.remove(row.id);
    this.#repo.delete(row.id);
  }

  /**
   * Deletes an upload: the uploader (with write access to the thread) or an owner of its
   * workspace; a finished file is also removed from the thread's attachments.
   */
  delete(userId: UserId, id: UploadId): Promise<void> {
    return this.#serial(id, async () => {
      const row = this.#repo.get(id);
      const access = row ? docAccess(this.#db, userId, { kind: 'thread', id: row.threadId }) : 'none';
      const visible = row && (row.userId === userId || (row.status === 'complete' && access !== 'none'));
      if (!row || !visible) throw new ApiError('not-found', 'upload not found');
      const owner = this.#repo.threadWorkspace(row.threadId, userId)?.role === 'owner';
      const uploaderMayWrite = row.userId === userId && access === 'write';
      if (!owner && !uploaderMayWrite) {
        throw new ApiError(
          'forbidden',
          'only the uploader (with write access) or a workspace owner may delete a file',
        );
      }
      if (row.status === 'complete' && row.attachedAt !== null)
        await this.#attachments.detach(row.threadId, id);
      this.#repo.delete(id);
      await this.#bytes.remove(id);
      await this.#thumbnails.remove(id);
      this.#logger.info({ upload: id, thread: row.threadId, by: userId }, 'upload deleted');
    });
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
  async recover(): Promise<void> {
    await this.#settle(true);
    const known = this.#repo.allIds();
    for (const id of await this.#bytes.list()) {
      if (!known.has(id)) await this.#bytes.remove(id as UploadId);
    }
  }

  /**
   * Attaches finished files whose attachment failed (the document could not be written), and with
   * `finishComplete` also finishes uploads whose bytes are all in but that never finished.
   */
  async #settle(finishComplete: boolean): Promise<void> {
    for (const row of this.#repo.unsettled()) {
      try {
        if (row.status === 'complete') {
          await this.#serial(row.id, async () => {
            const current = this.#repo.get(row.id);
            if (current) await this.#ensureAttached(current);
          });
          continue;
        }
        if (!finishComplete) continue;
        const progress = await this.#bytes.progress(row.id);
        if (progress && progress.size !== null && progress.offset === progress.size)
          await this.finish(row.id);
      } catch (err) {
        this.#logger.warn({ err, upload: row.id }, 'settling an upload failed');
      }
    }
  }

  /** Attaches finished files whose attachment failed (the thread document could not be written). */
  retryAttachments(): Promise<void> {
    return this.#settle(false);
  }

  /** Waits for running operations. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()]);
  }

  #serial<T>(id: UploadId, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return next;
  }
}
