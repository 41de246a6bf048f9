/**
 * Expiry of unfinished uploads (docs/OPERATIONS.md, "Uploads" and "Background jobs"): a recurring
 * job on the durable queue removes the uploads whose expiry has passed (bytes and row) and retries
 * attaching finished files whose thread document could not be written.
 */
import type { UploadId } from '@caucus/schema';
import type { JobScheduler } from '../governance/reminders.js';
import type { JobHandler } from '../jobs/job-runner.js';
import type { Logger } from '../logger.js';
import type { UploadBytes } from './upload-bytes.js';
import type { UploadRepo } from './upload-repo.js';

export const UPLOAD_EXPIRY_QUEUE = 'uploads-expiry';
/** The one recurring expiry job. */
export const UPLOAD_EXPIRY_JOB_KEY = 'uploads-expiry:unfinished';
/** The job runs at least this often (sooner when uploads expire sooner). */
export const UPLOAD_EXPIRY_MAX_EVERY_MS = 15 * 60 * 1000;

/** How often the job runs for uploads that expire `expiryMs` after creation. */
export function uploadExpiryEveryMs(expiryMs: number): number {
  return Math.max(1, Math.min(UPLOAD_EXPIRY_MAX_EVERY_MS, expiryMs));
}

/**
 * Schedules the recurring job. Unlike a job with a fixed period it is made again at each start
 * (cancelled and re-added, due at once), so that a changed `CAUCUS_UPLOAD_EXPIRY_MS` changes its
 * period too; one held by a running or stopped process is left as it is.
 */
export function scheduleUploadExpiry(jobs: JobScheduler, now: number, everyMs: number): void {
  jobs.cancelNow(UPLOAD_EXPIRY_JOB_KEY);
  jobs.enqueueNow({
    queue: UPLOAD_EXPIRY_QUEUE,
    key: UPLOAD_EXPIRY_JOB_KEY,
    payload: {},
    runAt: now,
    repeatEveryMs: everyMs,
  });
}

/** What the job asks of the upload service. */
export interface ExpiringUploads {
  cleanupExpired(now?: number, signal?: AbortSignal): Promise<number>;
  retryAttachments(): Promise<void>;
}

export function uploadExpiryHandler(uploads: ExpiringUploads): JobHandler {
  return async (_job, signal) => {
    // Both run even when one fails; the job then fails (and is retried) with the first error.
    const [removed, attached] = await Promise.allSettled([
      uploads.cleanupExpired(undefined, signal),
      uploads.retryAttachments(),
    ]);
    if (removed.status === 'rejected') throw removed.reason;
    if (attached.status === 'rejected') throw attached.reason;
  };
}

/** The parts of the upload service that removing expired uploads works with. */
export interface ExpiryDeps {
  repo: Pick<UploadRepo, 'expired' | 'get' | 'delete'>;
  bytes: Pick<UploadBytes, 'remove'>;
  /** The service's per-upload queue: expiring one never overlaps finishing or deleting it. */
  serial: (id: UploadId, fn: () => Promise<void>) => Promise<void>;
  logger: Logger;
  /** Counts the expired uploads (`caucus_uploads_total{outcome="expired"}`). */
  count: (n: number) => void;
}

/**
 * Removes unfinished uploads whose expiry has passed by `now`; returns how many. Each is checked
 * again in its turn (it may have finished meanwhile); an aborted signal stops between uploads.
 */
export async function removeExpired(deps: ExpiryDeps, now: number, signal?: AbortSignal): Promise<number> {
  let removed = 0;
  for (const candidate of deps.repo.expired(now)) {
    if (signal?.aborted) break;
    await deps.serial(candidate.id, async () => {
      const row = deps.repo.get(candidate.id);
      if (!row || row.status !== 'uploading' || row.expiresAt > now) return;
      await deps.bytes.remove(row.id);
      deps.repo.delete(row.id);
      removed++;
    });
  }
  if (removed > 0) deps.logger.info({ removed }, 'expired uploads removed');
  deps.count(removed);
  return removed;
}
