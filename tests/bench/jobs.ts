/**
 * Job queue benchmark (issue 13): jobs completed per second with a no-op handler on the embedded
 * SQLite queue (a file database in WAL mode, as the server runs it), and what an intent pays to
 * enqueue its reminders — `decision.propose` with a `dueAt` (two reminder jobs in its transaction)
 * against the same intent without (goal: ≤ 5 % more).
 *
 * Run alone: `node --conditions=caucus-source --import tsx tests/bench/jobs.ts [--quick]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newId, type DecisionId } from '@caucus/schema';
import { JobRunner } from '../../sync-server/src/jobs/job-runner.js';
import { SqliteJobStore } from '../../sync-server/src/jobs/sqlite-job-store.js';
import { openDb } from '../../sync-server/src/storage/db.js';
import { makeKit } from '../../sync-server/src/governance/test-kit.js';
import type { JobScheduler } from '../../sync-server/src/governance/reminders.js';
import { quantile, round } from './stats.js';

export interface JobsBenchOptions {
  quick: boolean;
  log?: (line: string) => void;
}

async function throughput(jobs: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'caucus-bench-jobs-'));
  const db = openDb({ path: join(dir, 'caucus.db') });
  try {
    const store = new SqliteJobStore(db);
    for (let i = 0; i < jobs; i++) store.enqueueNow({ queue: 'noop', payload: { i } });
    const runner = new JobRunner({ store, handlers: { noop: () => Promise.resolve() }, concurrency: 8 });
    const start = performance.now();
    const ran = await runner.runDue();
    const seconds = (performance.now() - start) / 1000;
    if (ran !== jobs) throw new Error(`ran ${ran} of ${jobs}`);
    return jobs / seconds;
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Median milliseconds of one `decision.propose` with a `dueAt`, its two reminder jobs written to
 * the queue (`with`) or handed to a scheduler that keeps nothing (`without`): the same intent, the
 * same notifications and publishing, so the difference is the enqueueing alone. The two kinds
 * alternate in one kit, round by round: an intent's cost grows with the workspace (its catalog
 * and inboxes), so separate runs would compare different sizes, not the enqueueing.
 */
async function intentLatency(rounds: number): Promise<{ without: number; with: number }> {
  const toggle: { keep: boolean; store: JobScheduler | null } = { keep: false, store: null };
  const scheduler: JobScheduler = {
    enqueueNow: (job, tx) => (toggle.keep && toggle.store ? toggle.store.enqueueNow(job, tx) : null),
    cancelNow: (key, tx) => (toggle.keep && toggle.store ? toggle.store.cancelNow(key, tx) : 0),
  };
  const kit = makeKit({ rate: { perSecond: 1e9, burst: 1e9 }, scheduler });
  toggle.store = kit.jobs;
  const samples = { with: [] as number[], without: [] as number[] };
  try {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    for (let i = 0; i < rounds; i++) {
      toggle.keep = i % 2 === 1;
      const args = {
        decisionId: newId<DecisionId>(),
        threadId,
        title: `D${i}`,
        dueAt: kit.clock.now + 3 * 86_400_000,
      };
      const start = performance.now();
      const [r] = await kit.submit(t.editor, { type: 'decision.propose', args });
      const ms = performance.now() - start;
      if (r?.status !== 'accepted') throw new Error(JSON.stringify(r));
      if (i >= 20) (toggle.keep ? samples.with : samples.without).push(ms);
    }
    // Two reminders (a day before, when due) for each intent that kept them; none for the others.
    const kept = (await kit.jobs.counts()).reduce((n, q) => n + q.waiting, 0);
    const expected = 2 * Math.floor(rounds / 2);
    if (kept !== expected) throw new Error(`${kept} reminder jobs kept, expected ${expected}`);
  } finally {
    kit.close();
  }
  const median = (xs: number[]) =>
    quantile(
      xs.sort((a, b) => a - b),
      0.5,
    );
  return { without: median(samples.without), with: median(samples.with) };
}

export async function benchJobs({
  quick,
  log = () => {},
}: JobsBenchOptions): Promise<Record<string, number>> {
  const jobs = quick ? 2_000 : 20_000;
  const perSecond = await throughput(jobs);
  log(`jobs: ${round(perSecond, 0)} no-op jobs/s over ${jobs}`);
  const latency = await intentLatency(quick ? 100 : 400);
  const overhead = ((latency.with - latency.without) / latency.without) * 100;
  log(`jobs: intent ${round(latency.without, 3)} ms without, ${round(latency.with, 3)} ms with reminders`);
  return {
    'no-op jobs completed per second': round(perSecond, 0),
    'decision.propose median ms, reminders not kept': round(latency.without, 3),
    'decision.propose median ms, two reminders enqueued': round(latency.with, 3),
    'enqueue overhead % (goal ≤ 5)': round(overhead, 1),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchJobs({ quick: process.argv.includes('--quick'), log: console.log });
  console.log(figures);
}
