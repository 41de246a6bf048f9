/**
 * The embedded job queue: rows of the `jobs` table in the server's own SQLite database. One
 * process writes (better-sqlite3 is synchronous and SQLite serialises writers), so a claim is a
 * single `UPDATE … RETURNING` and needs no row locks; leases still matter, for a process killed
 * while it held jobs and for a second process on the same file.
 *
 * This module holds the store: adding, cancelling, finishing and pruning jobs. Claims and leases
 * are in `sqlite-job-leases.ts`, the operator's view and actions in `sqlite-job-admin.ts`.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../storage/db.js';
import {
  DEFAULT_MAX_ATTEMPTS,
  type ClaimOptions,
  type ClaimedJob,
  type FailOutcome,
  type Job,
  type JobId,
  type JobStore,
  type NewJob,
  type QueueCounts,
} from './job-store.js';
import { discardDead, queueCounts, recentFailures, retryDead } from './sqlite-job-admin.js';
import { claimJobs, expireLeases, releaseLeases, renewLeases } from './sqlite-job-leases.js';
import { jobs, toJob } from './sqlite-job-row.js';

/** Longest error text kept with a failed job. */
export const MAX_JOB_ERROR_CHARS = 2_000;

/** The next turn of a recurring job: the first multiple of its period after now. */
export function nextTurn(runAt: number, everyMs: number, now: number): number {
  if (now < runAt) return runAt + everyMs;
  return runAt + (Math.floor((now - runAt) / everyMs) + 1) * everyMs;
}

export class SqliteJobStore implements JobStore<Db> {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  enqueue(job: NewJob, tx?: Db): Promise<JobId | null> {
    return Promise.resolve(this.enqueueNow(job, tx));
  }

  /** {@link enqueue}, synchronously: for effects that run inside an intent's transaction. */
  enqueueNow(job: NewJob, tx: Db = this.db): JobId | null {
    const at = this.now();
    const values = {
      queue: job.queue,
      key: job.key ?? null,
      payload: job.payload,
      state: 'waiting' as const,
      runAt: job.runAt ?? at,
      attempts: 0,
      maxAttempts: Math.max(1, job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      repeatEveryMs: job.repeatEveryMs ?? null,
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
      createdAt: at,
      updatedAt: at,
    };
    // A dead job under this key is kept for the record (an admin may look at it, retry or discard
    // it): it gives its key up, renamed `<key>#dead-<id>`, so that the new job can take it.
    if (job.key !== undefined)
      tx.update(jobs)
        .set({ key: sql`${jobs.key} || '#dead-' || ${jobs.id}` })
        .where(and(eq(jobs.key, job.key), eq(jobs.state, 'dead')))
        .run();
    // A key still waiting or running keeps its job; a done or cancelled one's row is reused.
    const row = tx
      .insert(jobs)
      .values(values)
      .onConflictDoUpdate({
        target: jobs.key,
        set: { ...values },
        setWhere: sql`${jobs.state} in ('done', 'cancelled')`,
      })
      .returning({ id: jobs.id })
      .get();
    return row?.id ?? null;
  }

  cancel(key: string, tx?: Db): Promise<number> {
    return Promise.resolve(this.cancelNow(key, tx));
  }

  /** {@link cancel}, synchronously, inside the caller's transaction. */
  cancelNow(key: string, tx: Db = this.db): number {
    return tx
      .update(jobs)
      .set({ state: 'cancelled', updatedAt: this.now() })
      .where(and(eq(jobs.key, key), eq(jobs.state, 'waiting')))
      .run().changes;
  }

  claim(options: ClaimOptions): Promise<ClaimedJob[]> {
    return Promise.resolve(claimJobs(this.db, options, this.now()));
  }

  #held(job: ClaimedJob) {
    return and(eq(jobs.id, job.id), eq(jobs.state, 'running'), eq(jobs.leaseOwner, job.leaseOwner));
  }

  complete(job: ClaimedJob): Promise<boolean> {
    const at = this.now();
    const next =
      job.repeatEveryMs === null
        ? { state: 'done' as const, lastError: null }
        : {
            state: 'waiting' as const,
            runAt: nextTurn(job.runAt, job.repeatEveryMs, at),
            attempts: 0,
            lastError: null,
          };
    const { changes } = this.db
      .update(jobs)
      .set({ ...next, leaseOwner: null, leaseUntil: null, updatedAt: at })
      .where(this.#held(job))
      .run();
    return Promise.resolve(changes === 1);
  }

  fail(job: ClaimedJob, error: string, retryDelayMs: number): Promise<FailOutcome> {
    const at = this.now();
    const lastError =
      error.length <= MAX_JOB_ERROR_CHARS ? error : `${error.slice(0, MAX_JOB_ERROR_CHARS - 1)}…`;
    const current = this.db.select({ attempts: jobs.attempts }).from(jobs).where(this.#held(job)).get();
    if (!current) return Promise.resolve('lost');
    const dead = current.attempts >= job.maxAttempts;
    this.db
      .update(jobs)
      .set({
        state: dead ? 'dead' : 'waiting',
        runAt: dead ? job.runAt : at + Math.max(0, retryDelayMs),
        lastError,
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: at,
      })
      .where(this.#held(job))
      .run();
    return Promise.resolve(dead ? 'dead' : 'retrying');
  }

  renew(owner: string, ids: readonly JobId[], leaseMs: number): Promise<number> {
    return Promise.resolve(renewLeases(this.db, owner, ids, leaseMs, this.now()));
  }

  prune(olderThan: number): Promise<number> {
    const { changes } = this.db
      .delete(jobs)
      .where(and(inArray(jobs.state, ['done', 'cancelled']), lt(jobs.updatedAt, olderThan)))
      .run();
    return Promise.resolve(changes);
  }

  expireLeases(): Promise<number> {
    return Promise.resolve(expireLeases(this.db, this.now()));
  }

  release(owner: string, ids?: readonly JobId[]): Promise<number> {
    return Promise.resolve(releaseLeases(this.db, owner, ids, this.now()));
  }

  get(id: JobId): Promise<Job | null> {
    const row = this.db.select().from(jobs).where(eq(jobs.id, id)).get();
    return Promise.resolve(row ? toJob(row) : null);
  }

  counts(): Promise<QueueCounts[]> {
    return Promise.resolve(queueCounts(this.db, this.now()));
  }

  recentFailures(limit: number): Promise<Job[]> {
    return Promise.resolve(recentFailures(this.db, limit));
  }

  retry(id: JobId): Promise<boolean> {
    return Promise.resolve(retryDead(this.db, id, this.now()));
  }

  discard(id: JobId): Promise<boolean> {
    return Promise.resolve(discardDead(this.db, id, this.now()));
  }
}
