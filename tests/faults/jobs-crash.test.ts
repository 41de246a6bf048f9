/**
 * The job queue survives kill -9 (issue 13): the real server process is killed with SIGKILL while
 * reminders fall due and run; after a restart on the same data dir every due reminder runs, and
 * each reaches each recipient exactly once. Jobs a dead process still held (claimed, lease live)
 * run again after the restart: the data-dir lock proves their owner dead, so the start ends its
 * leases instead of waiting them out.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { openDb } from '../../sync-server/src/storage/db.js';
import { SqliteJobStore } from '../../sync-server/src/jobs/sqlite-job-store.js';
import { ProcessServer } from '../support/process-server.js';
import { api, createThread, signup } from '../support/server.js';

const DECISIONS = 60;
const LEASE_MS = 1_500;

let server: ProcessServer | undefined;
afterAll(async () => {
  await server?.dispose();
});

/** Resolves once `check` holds, looking every 25 ms (the server's own progress, not a fixed sleep). */
async function until(
  check: () => boolean,
  timeoutMs: number,
  what: string,
  state: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${state()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('jobs after kill -9', () => {
  it('every due reminder runs after the restart, none twice, held ones again in the new process', async () => {
    server = await ProcessServer.start({
      env: {
        CAUCUS_JOB_LEASE_MS: String(LEASE_MS),
        CAUCUS_JOB_POLL_MS: '20',
        CAUCUS_JOB_CONCURRENCY: '2',
      },
    });
    const owner = await signup(server.url, 'jobs-crash');
    const threadId = await createThread(server.url, owner, owner.workspaceId, 'Due soon');
    const dueStart = Date.now() + 1_500;
    const intents = Array.from({ length: DECISIONS }, (_, i) => ({
      id: randomUUID(),
      type: 'decision.propose',
      // Spread over 6 s, so that at the kill most are still ahead (a fast runner on a 15 ms spacing
      // once finished all but two before the kill, leaving too few to hold).
      args: { decisionId: randomUUID(), threadId, title: `D${i}`, dueAt: dueStart + i * 100 },
    }));
    const res = await api<{ results: Array<{ status: string }> }>(server.url, 'POST', '/api/intents', {
      token: owner.accessToken,
      body: { intents },
    });
    expect(res.body.results.every((r) => r.status === 'accepted')).toBe(true);

    const file = join(server.dataDir, 'caucus.db');
    const reader = new Database(file, { readonly: true });
    const count = (q: string): number => (reader.prepare(q).get() as { n: number }).n;
    const delivered = () =>
      count(`select count(*) as n from notifications where dedupe_key like 'reminder:%:due'`);
    // Killed while reminders run: some done, the rest still waiting or held.
    await until(() => delivered() >= 5, 30_000, 'the first reminders');
    const killed = await server.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const atKill = delivered();
    expect(atKill).toBeLessThan(DECISIONS);

    // As if the dead process had just claimed three more: their leases are live at restart. Three
    // must be due for that (the server is dead, so they only become due with time).
    const dueWaiting = () =>
      count(`select count(*) as n from jobs where queue = 'reminders' and state = 'waiting'
             and run_at <= ${Date.now()}`);
    await until(() => dueWaiting() >= 3, 10_000, 'three due reminders to hold');
    const db = openDb({ path: file });
    const held = await new SqliteJobStore(db).claim({
      owner: 'dead-process',
      limit: 3,
      leaseMs: LEASE_MS,
      queues: ['reminders'],
    });
    db.$client.close();
    expect(held).toHaveLength(3);

    const restartedAt = Date.now();
    await server.restart();
    const jobStates = () =>
      JSON.stringify(
        reader
          .prepare(
            'select queue, state, attempts, last_error as lastError, count(*) as n from jobs group by 1, 2, 3, 4',
          )
          .all(),
      );
    await until(() => delivered() === DECISIONS, 30_000, 'every reminder', jobStates);
    await until(
      () =>
        count(`select count(*) as n from jobs where queue = 'reminders' and state = 'done'`) === DECISIONS,
      30_000,
      'every job done',
      jobStates,
    );
    const perDecision = reader
      .prepare(
        `select dedupe_key as key, count(*) as n from notifications
         where dedupe_key like 'reminder:%' group by user_id, dedupe_key`,
      )
      .all() as Array<{ key: string; n: number }>;
    expect(perDecision).toHaveLength(DECISIONS);
    expect(perDecision.every((r) => r.n === 1)).toBe(true);
    const again = reader
      .prepare(
        `select attempts, updated_at as updatedAt from jobs where id in (${held.map((j) => j.id).join(',')})`,
      )
      .all() as Array<{ attempts: number; updatedAt: number }>;
    // Held jobs ran again in the new process (attempts counted twice).
    expect(again.every((j) => j.attempts >= 2)).toBe(true);
    expect(again.every((j) => j.updatedAt >= restartedAt)).toBe(true);
    expect(count(`select count(*) as n from jobs where queue = 'reminders' and state <> 'done'`)).toBe(0);
    reader.close();
    expect(server.errorLogs).toEqual([]);
  }, 120_000);
});
