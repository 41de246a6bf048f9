/**
 * Runs due jobs from a {@link JobStore}: claims as many as it has free slots, runs each queue's
 * handler, completes or fails them (exponential backoff with jitter, dead after the job's
 * attempts), and on shutdown lets running jobs finish for a while, then releases them.
 *
 * Time comes from an injected clock (`now`, read by the store); in production the runner polls
 * with real timers, in tests `runDue()` runs whatever the clock makes due, with no waiting.
 */
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../logger.js';
import type { JobMetrics } from './job-metrics.js';
import type { ClaimedJob, JobStore } from './job-store.js';

/** Handles one job. Must be idempotent: a job may run again after a crash or a lost lease. */
export type JobHandler = (job: ClaimedJob, signal: AbortSignal) => Promise<void>;

export interface Backoff {
  /** Delay before the second attempt; each later one doubles it. */
  baseMs: number;
  /** No retry waits longer. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 2_000, maxMs: 3_600_000 };
/** Jobs one runner runs at once. */
export const DEFAULT_JOB_CONCURRENCY = 4;
/** A claim lapses (and the job may run elsewhere) this long after it was taken. */
export const DEFAULT_JOB_LEASE_MS = 5 * 60_000;
/** How often an idle runner looks for due jobs. */
export const DEFAULT_JOB_POLL_MS = 1_000;
/** How long `stop()` lets running jobs finish before it releases them. */
export const DEFAULT_JOB_STOP_GRACE_MS = 10_000;

/**
 * The wait before attempt `attempt + 1`: `baseMs · 2^(attempt−1)`, capped at `maxMs`, of which the
 * upper half is random ("equal jitter"), so that jobs failing together do not retry together.
 */
export function retryDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface JobRunnerOptions {
  store: JobStore;
  handlers: Readonly<Record<string, JobHandler>>;
  /** Identifies this runner's leases; a new one per process by default. */
  owner?: string;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  backoff?: Backoff;
  random?: () => number;
  metrics?: JobMetrics;
  logger?: Logger;
}

export class JobRunner {
  readonly owner: string;
  readonly #store: JobStore;
  readonly #handlers: Readonly<Record<string, JobHandler>>;
  readonly #queues: string[];
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #backoff: Backoff;
  readonly #random: () => number;
  readonly #metrics: JobMetrics | undefined;
  readonly #logger: Logger;
  readonly #running = new Map<number, Promise<void>>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #started = false;
  #stopped = false;
  #filling: Promise<void> | null = null;

  constructor(options: JobRunnerOptions) {
    this.owner = options.owner ?? `runner-${randomUUID()}`;
    this.#store = options.store;
    this.#handlers = options.handlers;
    this.#queues = Object.keys(options.handlers);
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULT_JOB_CONCURRENCY);
    this.#leaseMs = options.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    this.#pollMs = options.pollMs ?? DEFAULT_JOB_POLL_MS;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#random = options.random ?? Math.random;
    this.#metrics = options.metrics;
    this.#logger = options.logger ?? createLogger('error');
    this.#metrics?.knowQueues(this.#queues);
    this.#metrics?.measure(this.#store);
  }

  /** Jobs running now. */
  get busy(): number {
    return this.#running.size;
  }

  /** Polls for due jobs with real timers until {@link stop}. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    // The jobs still running keep their leases: renewed at a third of the lease, so that neither
    // this runner nor another one takes a job that is only slow.
    this.#heartbeat = setInterval(() => void this.#renew(), Math.max(1, Math.floor(this.#leaseMs / 3)));
    this.#heartbeat.unref();
    this.wake();
  }

  /** Extends the leases of the jobs running here (a failure is logged; the next beat tries again). */
  async #renew(): Promise<void> {
    if (this.#running.size === 0) return;
    try {
      await this.#store.renew(this.owner, [...this.#running.keys()], this.#leaseMs);
    } catch (err) {
      this.#logger.error({ err }, 'renewing job leases failed');
    }
  }

  /** Looks for due jobs now (a job was just enqueued) instead of at the next poll. */
  wake(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    void this.#fill().finally(() => this.#schedule());
  }

  #schedule(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.wake();
    }, this.#pollMs);
    this.#timer.unref();
  }

  /**
   * Runs every job due by the clock, and those their runs make due, until none is left; resolves
   * with how many runs there were. For tests and tools: no timers involved.
   */
  async runDue(): Promise<number> {
    let runs = 0;
    for (;;) {
      const claimed = await this.#claim();
      if (claimed === 0 && this.#running.size === 0) return runs;
      runs += claimed;
      await Promise.race(this.#running.values());
    }
  }

  /** Claims jobs into the free slots (one claim at a time), and again as each finishes. */
  #fill(): Promise<void> {
    this.#filling ??= this.#claim()
      .then(() => undefined)
      .catch((err: unknown) => this.#logger.error({ err }, 'claiming jobs failed'))
      .finally(() => (this.#filling = null));
    return this.#filling;
  }

  async #claim(): Promise<number> {
    const free = this.#concurrency - this.#running.size;
    if (free <= 0 || this.#stopped || this.#queues.length === 0) return 0;
    // Renewed first: a lease of ours that lapsed while its job still runs here (a stalled event
    // loop, a missed beat) must not make the claim hand us that job a second time.
    await this.#renew();
    const jobs = await this.#store.claim({
      owner: this.owner,
      limit: free,
      leaseMs: this.#leaseMs,
      queues: this.#queues,
    });
    for (const job of jobs) {
      if (this.#running.has(job.id)) continue; // already running here; the claim renewed its lease
      const run = this.#run(job).finally(() => {
        this.#running.delete(job.id);
        if (this.#started) this.wake();
      });
      this.#running.set(job.id, run);
    }
    return jobs.length;
  }

  async #run(job: ClaimedJob): Promise<void> {
    const handler = this.#handlers[job.queue];
    this.#metrics?.attempts.inc({ queue: job.queue });
    const end = this.#metrics?.runSeconds.startTimer({ queue: job.queue });
    let error: unknown = null;
    try {
      if (!handler) throw new Error(`no handler for queue ${job.queue}`);
      await handler(job, this.#abort.signal);
    } catch (err) {
      error = err ?? new Error('failed');
    }
    end?.();
    try {
      if (error === null) {
        await this.#store.complete(job);
        return;
      }
      if (this.#abort.signal.aborted) return; // released by stop(), not counted as a failure
      const message = error instanceof Error ? error.message : (JSON.stringify(error) ?? 'failed');
      const outcome = await this.#store.fail(
        job,
        message,
        retryDelayMs(job.attempts, this.#backoff, this.#random),
      );
      if (outcome === 'lost') return;
      this.#metrics?.failures.inc({ queue: job.queue, outcome });
      const log = { queue: job.queue, job: job.id, key: job.key, attempts: job.attempts, err: error };
      if (outcome === 'dead') this.#logger.error(log, 'job dead after its last attempt');
      else this.#logger.warn(log, 'job failed; it will be retried');
    } catch (err) {
      // The store is gone (shutting down) or broken: the lease lapses and the job runs again.
      this.#logger.error({ err, job: job.id }, 'recording a job outcome failed');
    }
  }

  /**
   * Stops claiming, lets running jobs finish for up to `graceMs`, then signals the rest to stop
   * and releases them (they run again at once on the next start, their attempt not counted).
   */
  async stop(graceMs = DEFAULT_JOB_STOP_GRACE_MS): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    await this.#filling;
    if (this.#running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled(this.#running.values()), grace]);
    clearTimeout(timer);
    if (this.#running.size === 0) return;
    const ids = [...this.#running.keys()];
    this.#abort.abort();
    await this.#store.release(this.owner, ids);
    this.#logger.warn({ jobs: ids.length }, 'jobs still running at shutdown were released');
  }
}
