/**
 * Upload limits (DESIGN §7): the size, quota and concurrency limits, admitting a new upload under
 * them (tus creation), and the per-user figures (`stats`) that report them.
 */
import type { FileStats, UploadId, UserId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { docAccess } from '../workspaces/access.js';
import type { UploadMetadata } from './metadata.js';
import type { UploadRepo } from './upload-repo.js';

export interface UploadLimits {
  maxUploadBytes: number;
  expiryMs: number;
  quotaBytes: number;
  maxConcurrentUploads: number;
}

/**
 * An unfinished upload counts as in progress (against the concurrency limit) until it has been
 * idle this long; a paused or abandoned one then stops blocking new uploads, though it keeps its
 * quota reservation until it expires.
 */
export const ACTIVE_UPLOAD_WINDOW_MS = 10 * 60 * 1000;

/** What admitting uploads and reporting the limits work with. */
export interface QuotaDeps {
  db: Db;
  repo: UploadRepo;
  limits: UploadLimits;
}

/**
 * Admits a new upload: write access to the thread, under the concurrency limit and the quota.
 * The row is inserted in the same transaction as the checks.
 */
export function admitUpload(
  deps: QuotaDeps,
  userId: UserId,
  id: UploadId,
  meta: UploadMetadata,
  declaredSize: number | null,
  now: number,
): void {
  const { db, repo, limits } = deps;
  db.transaction(() => {
    if (docAccess(db, userId, { kind: 'thread', id: meta.threadId }) !== 'write') {
      throw new ApiError('forbidden', 'uploading needs write access to the thread');
    }
    if (repo.activeCount(userId, now, now - ACTIVE_UPLOAD_WINDOW_MS) >= limits.maxConcurrentUploads) {
      const freesAt = repo.nextInactiveAt(userId, now, ACTIVE_UPLOAD_WINDOW_MS);
      throw new ApiError(
        'too-many-uploads',
        `at most ${limits.maxConcurrentUploads} unfinished uploads at a time; finish or cancel one first`,
        // Finishing or cancelling one frees a slot at once; left alone, this is when one frees itself.
        { retryAfterSeconds: freesAt === null ? 0 : (freesAt - now) / 1000 },
      );
    }
    const reserve = declaredSize ?? limits.maxUploadBytes;
    const used = repo.quotaUsed(userId, now, limits.maxUploadBytes);
    if (used + reserve > limits.quotaBytes) {
      throw new ApiError(
        'quota-exceeded',
        `this upload would exceed your storage quota (${used} of ${limits.quotaBytes} bytes used)`,
      );
    }
    repo.insert({
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
      expiresAt: now + limits.expiryMs,
    });
  });
}

/** A user's files by type, their unfinished uploads and where they stand against the limits. */
export function uploadStats(deps: QuotaDeps, userId: UserId, now: number): FileStats {
  const { repo, limits } = deps;
  const groups = repo.statsByType(userId);
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
    activeUploads: repo.activeCount(userId, now, now - ACTIVE_UPLOAD_WINDOW_MS),
    maxConcurrentUploads: limits.maxConcurrentUploads,
    quotaUsedBytes: repo.quotaUsed(userId, now, limits.maxUploadBytes),
    quotaBytes: limits.quotaBytes,
    maxUploadBytes: limits.maxUploadBytes,
  };
}
