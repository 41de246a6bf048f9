/**
 * The job queue's storage port: what a runner needs of a durable queue. The embedded
 * implementation is {@link SqliteJobStore}; a PostgreSQL one (the cluster mode) goes behind the
 * same interface and passes the same contract suite (`job-store.contract.ts`).
 *
 * Delivery is at least once: a job whose runner dies keeps its lease until it expires, then runs
 * again elsewhere. Handlers are idempotent (a reminder carries its job key as its notification's
 * dedupe key), so a second run changes nothing.
 */
import type { JobState } from '@caucus/schema';

export type JobId = number;
export type JobPayload = { [key: string]: string | number | boolean | null };

/** How many times a job runs before it is dead-lettered, unless it says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 8;

export interface NewJob {
  queue: string;
  payload: JobPayload;
  /**
   * At most one waiting or running job per key; enqueueing a key that is already waiting or
   * running does nothing. A finished job's key (done, dead, cancelled) may be enqueued again; a
   * dead job is then kept, for the record, under its key with `#dead-<id>` appended.
   */
  key?: string;
  /** Not before this time (ms since the epoch); now when absent. */
  runAt?: number;
  maxAttempts?: number;
  /** Runs again this long after each successful turn, for ever (until cancelled). */
  repeatEveryMs?: number;
}

export interface Job {
  id: JobId;
  queue: string;
  key: string | null;
  payload: JobPayload;
  state: JobState;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  repeatEveryMs: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A job a runner holds: `owner` must be given back to complete, fail or release it. */
export type ClaimedJob = Job & { state: 'running'; leaseOwner: string; leaseUntil: number };

export interface ClaimOptions {
  /** Who claims (one id per runner process); leases are checked against it. */
  owner: string;
  /** At most this many. */
  limit: number;
  /** The claim lapses this long after now unless completed, failed or released first. */
  leaseMs: number;
  /** Only these queues (default: all). */
  queues?: readonly string[];
}

/** What `fail` did: scheduled another attempt, dead-lettered it, or nothing (the lease was lost). */
export type FailOutcome = 'retrying' | 'dead' | 'lost';

export interface QueueCounts {
  queue: string;
  waiting: number;
  /** Waiting and due now (the backlog). */
  due: number;
  running: number;
  done: number;
  dead: number;
  cancelled: number;
  /** How long the oldest due waiting job has waited, in ms (0 when none). */
  oldestDueAgeMs: number;
}

/**
 * A durable queue. `tx`, where taken, is the engine's transaction handle: the job is then written
 * in the caller's transaction and commits or rolls back with it (for SQLite, the drizzle database
 * the caller is inside `transaction()` of; the write is done before the promise is returned).
 */
export interface JobStore<Tx = unknown> {
  /** Adds a job; null when a job with its key is already waiting or running. */
  enqueue(job: NewJob, tx?: Tx): Promise<JobId | null>;
  /** Cancels the waiting job with this key (a running one finishes); how many were cancelled. */
  cancel(key: string, tx?: Tx): Promise<number>;
  /**
   * Takes due waiting jobs, and running ones whose lease has expired, oldest due first. An expired
   * one whose attempts are spent is dead instead ("lease expired N times"): it killed or hung
   * every process that ran it.
   */
  claim(options: ClaimOptions): Promise<ClaimedJob[]>;
  /** Marks it done (a recurring job waits for its next turn); false when the lease was lost. */
  complete(job: ClaimedJob): Promise<boolean>;
  /** Another attempt after `retryDelayMs`, or dead with `error` kept once its attempts are spent. */
  fail(job: ClaimedJob, error: string, retryDelayMs: number): Promise<FailOutcome>;
  /**
   * Extends the leases `owner` holds on these jobs to `leaseMs` from now (a runner's heartbeat for
   * the jobs it is still running); how many it still held.
   */
  renew(owner: string, ids: readonly JobId[], leaseMs: number): Promise<number>;
  /** Deletes done and cancelled jobs last changed before `olderThan` (ms since the epoch); how many. */
  prune(olderThan: number): Promise<number>;
  /**
   * Ends every lease now, whoever holds it, so the next claim takes those jobs at once with the
   * attempt counted (a job that killed its process still goes dead after its last attempt). Only
   * for a start that knows no other process runs jobs — the embedded server holds the data-dir
   * lock; a cluster node must not call it. How many running jobs it freed.
   */
  expireLeases(): Promise<number>;
  /** Gives back every job `owner` holds, due at once and the attempt not counted (shutdown). */
  release(owner: string, ids?: readonly JobId[]): Promise<number>;
  get(id: JobId): Promise<Job | null>;
  /** Counts per queue and state, with the oldest due job's age. */
  counts(): Promise<QueueCounts[]>;
  /** The most recently failed jobs (dead ones and those waiting to retry), newest first. */
  recentFailures(limit: number): Promise<Job[]>;
  /** A dead job runs again (attempts start over); false unless it was dead. */
  retry(id: JobId): Promise<boolean>;
  /** A dead job is given up (cancelled, kept for the record); false unless it was dead. */
  discard(id: JobId): Promise<boolean>;
}
