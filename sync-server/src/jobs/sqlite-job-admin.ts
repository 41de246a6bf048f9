/**
 * What an operator sees of and does to the SQLite job queue: counts by queue and state (with how
 * much is due and how late the oldest due job is, for the metrics and the admin page), the recent
 * failures, and retrying or discarding a dead job.
 */
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../storage/db.js';
import type { Job, JobId, QueueCounts } from './job-store.js';
import { jobs, toJob } from './sqlite-job-row.js';

/** Every queue's counts at `at`, by queue name. */
export function queueCounts(db: Db, at: number): QueueCounts[] {
  const rows = db
    .select({
      queue: jobs.queue,
      state: jobs.state,
      n: sql<number>`count(*)`,
      due: sql<number>`sum(case when ${jobs.runAt} <= ${at} then 1 else 0 end)`,
      oldestDue: sql<number | null>`min(case when ${jobs.runAt} <= ${at} then ${jobs.runAt} end)`,
    })
    .from(jobs)
    .groupBy(jobs.queue, jobs.state)
    .all();
  const byQueue = new Map<string, QueueCounts>();
  for (const row of rows) {
    let counts = byQueue.get(row.queue);
    if (!counts) {
      counts = {
        queue: row.queue,
        waiting: 0,
        due: 0,
        running: 0,
        done: 0,
        dead: 0,
        cancelled: 0,
        oldestDueAgeMs: 0,
      };
      byQueue.set(row.queue, counts);
    }
    counts[row.state] = row.n;
    if (row.state === 'waiting') {
      counts.due = row.due;
      counts.oldestDueAgeMs = row.oldestDue === null ? 0 : at - row.oldestDue;
    }
  }
  return [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue));
}

/** The `limit` most recently failed jobs, dead or waiting to retry, newest first. */
export function recentFailures(db: Db, limit: number): Job[] {
  const rows = db
    .select()
    .from(jobs)
    .where(and(isNotNull(jobs.lastError), inArray(jobs.state, ['dead', 'waiting'])))
    .orderBy(desc(jobs.updatedAt), desc(jobs.id))
    .limit(limit)
    .all();
  return rows.map(toJob);
}

/** Puts a dead job back in its queue, due at `at` with its attempts reset; whether it was dead. */
export function retryDead(db: Db, id: JobId, at: number): boolean {
  const { changes } = db
    .update(jobs)
    .set({ state: 'waiting', attempts: 0, runAt: at, updatedAt: at })
    .where(and(eq(jobs.id, id), eq(jobs.state, 'dead')))
    .run();
  return changes === 1;
}

/** Cancels a dead job (kept, no longer listed as dead); whether it was dead. */
export function discardDead(db: Db, id: JobId, at: number): boolean {
  const { changes } = db
    .update(jobs)
    .set({ state: 'cancelled', updatedAt: at })
    .where(and(eq(jobs.id, id), eq(jobs.state, 'dead')))
    .run();
  return changes === 1;
}
