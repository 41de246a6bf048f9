import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.js';
import { openDb, type Db } from '../storage/db.js';
import { JobRunner, retryDelayMs, type JobHandler } from './job-runner.js';
import { SqliteJobStore } from './sqlite-job-store.js';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.$client.close();
});

function setup(handlers: Record<string, JobHandler>, options: { concurrency?: number } = {}) {
  const db = openDb({ path: ':memory:' });
  dbs.push(db);
  const clock = { now: 1_000_000 };
  const store = new SqliteJobStore(db, () => clock.now);
  const metrics = createMetrics();
  const runner = new JobRunner({
    store,
    handlers,
    metrics: metrics.jobs,
    random: () => 0,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
    leaseMs: 60_000,
    ...options,
  });
  return { db, clock, store, runner, metrics };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('retryDelayMs', () => {
  it('doubles per attempt up to the cap, the upper half random', () => {
    const backoff = { baseMs: 1_000, maxMs: 8_000 };
    expect([1, 2, 3, 4, 5, 9].map((a) => retryDelayMs(a, backoff, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000, 4_000, 4_000,
    ]);
    expect(retryDelayMs(3, backoff, () => 1)).toBe(4_000);
    expect(retryDelayMs(3, backoff, () => 0.5)).toBe(3_000);
  });
});

describe('JobRunner', () => {
  it('never runs a job twice at once when its lease lapses while it still runs here', async () => {
    const gate = deferred();
    const started = deferred();
    let runs = 0;
    const { clock, store, runner } = setup({
      slow: async () => {
        runs++;
        started.resolve();
        await gate.promise;
      },
      other: () => Promise.resolve(),
    });
    const id = await store.enqueue({ queue: 'slow', payload: {} });
    const first = runner.runDue();
    await started.promise;
    clock.now += 60_000; // the lease (60 s) has lapsed; the job is still running
    await store.enqueue({ queue: 'other', payload: {} });
    const second = runner.runDue();
    await new Promise((r) => setImmediate(r));
    gate.resolve();
    await Promise.all([first, second]);
    expect(runs).toBe(1);
    expect(await store.get(id!)).toMatchObject({ state: 'done', attempts: 1 });
  });

  it('runs due jobs, at most `concurrency` at once, and the ones their runs enqueue', async () => {
    let active = 0;
    let most = 0;
    const seen: number[] = [];
    const { store, runner } = setup(
      {
        work: async (job) => {
          active++;
          most = Math.max(most, active);
          await new Promise((r) => setImmediate(r));
          seen.push(Number(job.payload.n));
          active--;
          if (job.payload.n === 0) await store.enqueue({ queue: 'work', payload: { n: 99 } });
        },
      },
      { concurrency: 3 },
    );
    for (let n = 0; n < 10; n++) await store.enqueue({ queue: 'work', payload: { n } });
    expect(await runner.runDue()).toBe(11);
    expect(most).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99]);
    expect((await store.counts())[0]).toMatchObject({ done: 11, waiting: 0, running: 0 });
  });

  it('leaves delayed jobs until the clock reaches them', async () => {
    const ran: string[] = [];
    const { clock, store, runner } = setup({ q: (job) => Promise.resolve(void ran.push(job.key ?? '')) });
    await store.enqueue({ queue: 'q', payload: {}, key: 'in-a-day', runAt: clock.now + 86_400_000 });
    expect(await runner.runDue()).toBe(0);
    clock.now += 86_400_000;
    expect(await runner.runDue()).toBe(1);
    expect(ran).toEqual(['in-a-day']);
  });

  it('retries a failing job with backoff, then dead-letters it, counting it all in the metrics', async () => {
    let calls = 0;
    const { clock, store, runner, metrics } = setup({
      flaky: () => Promise.reject(new Error(`refused ${++calls}`)),
    });
    const id = await store.enqueue({ queue: 'flaky', payload: {}, maxAttempts: 3 });
    expect(await runner.runDue()).toBe(1);
    expect(await store.get(id!)).toMatchObject({
      state: 'waiting',
      runAt: clock.now + 500,
      lastError: 'refused 1',
    });
    clock.now += 499;
    expect(await runner.runDue()).toBe(0);
    clock.now += 1;
    expect(await runner.runDue()).toBe(1);
    clock.now += 1_000;
    expect(await runner.runDue()).toBe(1);
    expect(await store.get(id!)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'refused 3' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('caucus_job_attempts_total{queue="flaky"} 3');
    expect(text).toContain('caucus_job_failures_total{queue="flaky",outcome="retrying"} 2');
    expect(text).toContain('caucus_job_failures_total{queue="flaky",outcome="dead"} 1');
    expect(text).toContain('caucus_jobs{queue="flaky",state="dead"} 1');
    expect(text).toMatch(/caucus_job_run_seconds_count\{queue="flaky"\} 3/);
  });

  it('has every series of its queues at zero before the first job', async () => {
    const { metrics } = setup({ reminders: () => Promise.resolve() });
    const text = await metrics.registry.metrics();
    expect(text).toContain('caucus_job_attempts_total{queue="reminders"} 0');
    expect(text).toContain('caucus_job_failures_total{queue="reminders",outcome="dead"} 0');
    expect(text).toContain('caucus_jobs{queue="reminders",state="waiting"} 0');
    expect(text).toContain('caucus_jobs_oldest_due_seconds{queue="reminders"} 0');
  });

  it('on stop lets a job that finishes within the grace complete', async () => {
    const started = deferred();
    const finish = deferred();
    const { store, runner } = setup({
      slow: async () => {
        started.resolve();
        await finish.promise;
      },
    });
    const id = await store.enqueue({ queue: 'slow', payload: {} });
    runner.start();
    await started.promise;
    const stopping = runner.stop(10_000);
    finish.resolve();
    await stopping;
    expect((await store.get(id!))?.state).toBe('done');
  });

  it('on stop releases a job still running after the grace, signalled, its attempt not counted', async () => {
    const started = deferred();
    let aborted = false;
    const { store, runner } = setup({
      stuck: (_job, signal) => {
        started.resolve();
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        );
      },
    });
    const id = await store.enqueue({ queue: 'stuck', payload: {} });
    runner.start();
    await started.promise;
    await runner.stop(20);
    expect(aborted).toBe(true);
    expect(await store.get(id!)).toMatchObject({ state: 'waiting', attempts: 0, leaseOwner: null });
  });

  it('when started, runs a job enqueued later once woken', async () => {
    const ran = deferred();
    const { store, runner } = setup({ q: () => Promise.resolve(ran.resolve()) });
    runner.start();
    await store.enqueue({ queue: 'q', payload: {} });
    runner.wake();
    await ran.promise;
    await runner.stop();
    expect(runner.busy).toBe(0);
  });
});
