/**
 * Leases on the SQLite job queue: claiming due jobs for a worker (a single `UPDATE … RETURNING`,
 * since one process writes), renewing what a worker still holds, giving jobs back, and letting
 * leases lapse. A lease that lapsed is what a killed or hung process leaves; its job is claimed
 * again, or marked dead once its attempts are spent.
 */
import { and, asc, eq, gt, inArray, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../storage/db.js';
import type { ClaimOptions, ClaimedJob, JobId } from './job-store.js';
import { jobs, toJob } from './sqlite-job-row.js';

/**
 * Claims up to `options.limit` due jobs (waiting and due, or running with a lapsed lease) for
 * `options.owner`, oldest first, counting an attempt each; a lapsed job with its attempts spent is
 * marked dead instead.
 */
export function claimJobs(db: Db, options: ClaimOptions, at: number): ClaimedJob[] {
  if (options.limit <= 0) return [];
  const queues = options.queues ? inArray(jobs.queue, [...options.queues]) : undefined;
  // A job whose lease lapsed with its attempts spent killed or hung the process that ran it on
  // each of them: dead, not claimed again (attempts are counted at claim, so this is the check).
  db.update(jobs)
    .set({
      state: 'dead',
      lastError: sql`'lease expired ' || ${jobs.attempts} || ' times: the process running it died or hung'`,
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: at,
    })
    .where(
      and(
        eq(jobs.state, 'running'),
        lte(jobs.leaseUntil, at),
        sql`${jobs.attempts} >= ${jobs.maxAttempts}`,
        queues,
      ),
    )
    .run();
  const claimable = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        or(
          and(eq(jobs.state, 'waiting'), lte(jobs.runAt, at)),
          and(eq(jobs.state, 'running'), lte(jobs.leaseUntil, at)),
        ),
        queues,
      ),
    )
    .orderBy(asc(jobs.runAt), asc(jobs.id))
    .limit(options.limit);
  const rows = db
    .update(jobs)
    .set({
      state: 'running',
      attempts: sql`${jobs.attempts} + 1`,
      leaseOwner: options.owner,
      leaseUntil: at + options.leaseMs,
      updatedAt: at,
    })
    .where(inArray(jobs.id, claimable))
    .returning()
    .all();
  rows.sort((a, b) => a.runAt - b.runAt || a.id - b.id);
  return rows.map((row) => toJob(row) as ClaimedJob);
}

/** Extends the leases `owner` holds on `ids` to `at + leaseMs`; how many it still held. */
export function renewLeases(
  db: Db,
  owner: string,
  ids: readonly JobId[],
  leaseMs: number,
  at: number,
): number {
  if (ids.length === 0) return 0;
  const { changes } = db
    .update(jobs)
    .set({ leaseUntil: at + leaseMs, updatedAt: at })
    .where(and(eq(jobs.state, 'running'), eq(jobs.leaseOwner, owner), inArray(jobs.id, [...ids])))
    .run();
  return changes;
}

/** Lets every running job's lease lapse now (what a crash leaves behind); how many. */
export function expireLeases(db: Db, at: number): number {
  const { changes } = db
    .update(jobs)
    .set({ leaseUntil: at })
    .where(and(eq(jobs.state, 'running'), gt(jobs.leaseUntil, at)))
    .run();
  return changes;
}

/** Gives `owner`'s running jobs (or those of `ids`) back to the queue, due now, the attempt not counted. */
export function releaseLeases(db: Db, owner: string, ids: readonly JobId[] | undefined, at: number): number {
  const { changes } = db
    .update(jobs)
    .set({
      state: 'waiting',
      attempts: sql`max(${jobs.attempts} - 1, 0)`,
      runAt: at,
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: at,
    })
    .where(
      and(
        eq(jobs.state, 'running'),
        eq(jobs.leaseOwner, owner),
        ids ? inArray(jobs.id, [...ids]) : undefined,
      ),
    )
    .run();
  return changes;
}
