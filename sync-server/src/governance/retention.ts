/**
 * Retention: read notifications older than a configurable age are removed from the database and,
 * through the publish that follows, from the inbox documents. Unread ones stay however old (they
 * are still someone's to-do); the audit log is never pruned. Done and cancelled jobs older than
 * another age go in the same turn (dead ones stay, for an admin to look at). Runs as a recurring job.
 */
import { and, isNotNull, lt } from 'drizzle-orm';
import { tables } from '@caucus/schema';
import type { JobHandler } from '../jobs/job-runner.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Changes } from './changes.js';
import type { EffectContext } from './effect-context.js';
import type { JobScheduler } from './reminders.js';

export const RETENTION_QUEUE = 'retention';
/** The one recurring pruning job. */
export const RETENTION_JOB_KEY = 'retention:read-notifications';
/** How often it runs. */
export const RETENTION_EVERY_MS = 3_600_000;
/** Done and cancelled jobs are kept this long after they finished (7 days). */
export const DEFAULT_JOB_RETENTION_MS = 7 * 24 * 3_600_000;
/** Read notifications are kept this long after they were made (30 days). */
export const DEFAULT_READ_NOTIFICATION_RETENTION_MS = 30 * 24 * 3_600_000;

/** Removes read notifications made before `now - keepMs`; returns how many. */
export function pruneReadNotifications(ctx: EffectContext, keepMs: number, changes: Changes): number {
  const { notifications } = tables;
  const removed = ctx.db
    .delete(notifications)
    .where(and(isNotNull(notifications.readAt), lt(notifications.at, ctx.now() - keepMs)))
    .returning({ userId: notifications.userId })
    .all();
  for (const row of removed) changes.inboxes.add(row.userId);
  return removed.length;
}

/** Schedules the recurring job (a no-op when it is already there). */
export function scheduleRetention(jobs: JobScheduler, now: number): void {
  jobs.enqueueNow({
    queue: RETENTION_QUEUE,
    key: RETENTION_JOB_KEY,
    payload: {},
    runAt: now,
    repeatEveryMs: RETENTION_EVERY_MS,
  });
}

/** Old finished jobs, to prune in the same turn: done and cancelled ones (dead ones stay). */
export interface JobRetention {
  store: Pick<JobStore, 'prune'>;
  /** Done and cancelled jobs last changed longer ago than this are deleted. */
  keepMs: number;
}

export function retentionHandler(
  governance: { apply<T>(effect: (ctx: EffectContext, changes: Changes) => T): Promise<T> },
  keepMs: number,
  jobs?: JobRetention,
): JobHandler {
  return async () => {
    const now = await governance.apply((ctx, changes) => {
      pruneReadNotifications(ctx, keepMs, changes);
      return ctx.now();
    });
    if (jobs) await jobs.store.prune(now - jobs.keepMs);
  };
}
