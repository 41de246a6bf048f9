/**
 * The job queue's Prometheus series, on the server's registry: depth per queue and state (read
 * from the store at scrape time), run time, attempts and failures by queue.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { JOB_STATES } from '@caucus/schema';
import type { JobStore } from './job-store.js';

/** What a failed run led to: another attempt later, or the dead letters. */
export const JOB_FAILURE_OUTCOMES = ['retrying', 'dead'] as const;

export function createJobMetrics(registry: Registry) {
  let source: Pick<JobStore, 'counts'> | null = null;
  const known = new Set<string>();
  const depth = new Gauge({
    name: 'caucus_jobs',
    help: 'Jobs in the queue, by queue and state (waiting includes those not yet due)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!source) return;
      const counts = await source.counts();
      this.reset();
      const seen = new Set(counts.map((c) => c.queue));
      for (const queue of known)
        if (!seen.has(queue)) for (const state of JOB_STATES) this.set({ queue, state }, 0);
      for (const c of counts) for (const state of JOB_STATES) this.set({ queue: c.queue, state }, c[state]);
    },
  });
  // Collected on its own: a registry collects its metrics concurrently.
  const oldest = new Gauge({
    name: 'caucus_jobs_oldest_due_seconds',
    help: 'How long the oldest due waiting job of each queue has waited',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      if (!source) return;
      const counts = await source.counts();
      this.reset();
      for (const queue of known) this.set({ queue }, 0);
      for (const c of counts) this.set({ queue: c.queue }, c.oldestDueAgeMs / 1000);
    },
  });
  const runSeconds = new Histogram({
    name: 'caucus_job_run_seconds',
    help: 'Time one job run took, by queue (failed runs included)',
    labelNames: ['queue'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'caucus_job_attempts_total',
    help: 'Job runs started, by queue (retries included)',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'caucus_job_failures_total',
    help: 'Job runs that failed, by queue and what followed (retrying, dead)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });
  return {
    depth,
    oldest,
    runSeconds,
    attempts,
    failures,
    /** Reads depth from `store` on each scrape. */
    measure(store: Pick<JobStore, 'counts'>): void {
      source = store;
    },
    /** Makes every series of these queues exist from the start, at zero. */
    knowQueues(queues: Iterable<string>): void {
      for (const queue of queues) {
        known.add(queue);
        attempts.inc({ queue }, 0);
        runSeconds.zero({ queue });
        for (const outcome of JOB_FAILURE_OUTCOMES) failures.inc({ queue, outcome }, 0);
      }
    },
  };
}

export type JobMetrics = ReturnType<typeof createJobMetrics>;
