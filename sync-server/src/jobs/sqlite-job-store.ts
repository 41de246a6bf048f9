/**
 * The embedded job queue: rows of the `jobs` table in the server's own SQLite database. One
 * process writes (better-sqlite3 is synchronous and SQLite serialises writers), so a claim is a
 * single `UPDATE … RETURNING` and needs no row locks; leases still matter, for a process killed
 * while it held jobs and for a second process on the same file.
 */
import { and, asc, desc, eq, gt, inArray, isNotNull, lt, lte, or, sql } from 'drizzle-orm';
import { tables } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import {
  DEFAULT_MAX_ATTEMPTS,
  type ClaimOptions,
  type ClaimedJob,
  type FailOutcome,
  type Job,
  type JobId,
  type JobPayload,
  type JobStore,
  type NewJob,
  type QueueCounts,
} from './job-store.js';

const { jobs } = tables;

/** Longest error text kept with a failed job. */
export const MAX_JOB_ERROR_CHARS = 2_000;

type Row = typeof jobs.$inferSelect;

function toJob(row: Row): Job {
  return { ...row, payload: row.payload as JobPayload };
}

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
    const at = this.now();
    if (options.limit <= 0) return Promise.resolve([]);
    const queues = options.queues ? inArray(jobs.queue, [...options.queues]) : undefined;
    // A job whose lease lapsed with its attempts spent killed or hung the process that ran it on
    // each of them: dead, not claimed again (attempts are counted at claim, so this is the check).
    this.db
      .update(jobs)
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
    const claimable = this.db
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
    const rows = this.db
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
    return Promise.resolve(rows.map((row) => toJob(row) as ClaimedJob));
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
    if (ids.length === 0) return Promise.resolve(0);
    const at = this.now();
    const { changes } = this.db
      .update(jobs)
      .set({ leaseUntil: at + leaseMs, updatedAt: at })
      .where(and(eq(jobs.state, 'running'), eq(jobs.leaseOwner, owner), inArray(jobs.id, [...ids])))
      .run();
    return Promise.resolve(changes);
  }

  prune(olderThan: number): Promise<number> {
    const { changes } = this.db
      .delete(jobs)
      .where(and(inArray(jobs.state, ['done', 'cancelled']), lt(jobs.updatedAt, olderThan)))
      .run();
    return Promise.resolve(changes);
  }

  expireLeases(): Promise<number> {
    const at = this.now();
    const { changes } = this.db
      .update(jobs)
      .set({ leaseUntil: at })
      .where(and(eq(jobs.state, 'running'), gt(jobs.leaseUntil, at)))
      .run();
    return Promise.resolve(changes);
  }

  release(owner: string, ids?: readonly JobId[]): Promise<number> {
    const at = this.now();
    const { changes } = this.db
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
    return Promise.resolve(changes);
  }

  get(id: JobId): Promise<Job | null> {
    const row = this.db.select().from(jobs).where(eq(jobs.id, id)).get();
    return Promise.resolve(row ? toJob(row) : null);
  }

  counts(): Promise<QueueCounts[]> {
    const at = this.now();
    const rows = this.db
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
    return Promise.resolve([...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue)));
  }

  recentFailures(limit: number): Promise<Job[]> {
    const rows = this.db
      .select()
      .from(jobs)
      .where(and(isNotNull(jobs.lastError), inArray(jobs.state, ['dead', 'waiting'])))
      .orderBy(desc(jobs.updatedAt), desc(jobs.id))
      .limit(limit)
      .all();
    return Promise.resolve(rows.map(toJob));
  }

  retry(id: JobId): Promise<boolean> {
    const at = this.now();
    const { changes } = this.db
      .update(jobs)
      .set({ state: 'waiting', attempts: 0, runAt: at, updatedAt: at })
      .where(and(eq(jobs.id, id), eq(jobs.state, 'dead')))
      .run();
    return Promise.resolve(changes === 1);
  }

  discard(id: JobId): Promise<boolean> {
    const { changes } = this.db
      .update(jobs)
      .set({ state: 'cancelled', updatedAt: this.now() })
      .where(and(eq(jobs.id, id), eq(jobs.state, 'dead')))
      .run();
    return Promise.resolve(changes === 1);
  }
}
