import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tables, type UserId } from '@caucus/schema';
import { JobRunner } from '../jobs/job-runner.js';
import { RETENTION_EVERY_MS, RETENTION_QUEUE, retentionHandler, scheduleRetention } from './retention.js';
import { makeKit, type Kit } from './test-kit.js';

const DAY = 86_400_000;

let kit: Kit;
let runner: JobRunner;
beforeEach(() => {
  kit = makeKit();
  runner = new JobRunner({
    store: kit.jobs,
    handlers: {
      [RETENTION_QUEUE]: retentionHandler(kit.governance, 30 * DAY, { store: kit.jobs, keepMs: 7 * DAY }),
    },
  });
});
afterEach(() => kit.close());

const inboxDocIds = (u: UserId) => [...kit.hub.doc(`inbox:${u}`).getMap('notifications').keys()].sort();

describe('retention of read notifications', () => {
  it('removes read ones older than the age from the rows and the inbox document, keeps the rest', async () => {
    const ada = kit.user('ada');
    const start = kit.clock.now;
    await kit.governance.notify([ada], { kind: 'info', title: 'old, read' });
    await kit.governance.notify([ada], { kind: 'info', title: 'old, unread' });
    kit.clock.now = start + 10 * DAY;
    await kit.governance.notify([ada], { kind: 'info', title: 'newer, read' });
    const [oldRead, , newerRead] = kit.governance
      .inbox(ada)
      .sort((a, b) => a.at - b.at || a.title.localeCompare(b.title))
      .map((n) => n.id);
    await kit.submit(ada, { type: 'inbox.markRead', args: { notificationIds: [oldRead!, newerRead!] } });
    scheduleRetention(kit.jobs, kit.clock.now);
    scheduleRetention(kit.jobs, kit.clock.now);
    expect(await runner.runDue()).toBe(1);
    expect(kit.governance.inbox(ada)).toHaveLength(3);

    kit.clock.now = start + 30 * DAY + RETENTION_EVERY_MS;
    expect(await runner.runDue()).toBe(1);
    const left = kit.governance.inbox(ada).map((n) => n.title);
    expect(left.sort()).toEqual(['newer, read', 'old, unread']);
    expect(inboxDocIds(ada)).toEqual(
      kit.governance
        .inbox(ada)
        .map((n) => n.id)
        .sort(),
    );
    // The recurring job waits for its next turn.
    expect(kit.db.select().from(tables.jobs).all()).toMatchObject([{ state: 'waiting', attempts: 0 }]);
  });

  it('removes done and cancelled jobs older than the job age, keeps dead, waiting and newer ones', async () => {
    const start = kit.clock.now;
    const done = await kit.jobs.enqueue({ queue: 'x', payload: {} });
    const dead = await kit.jobs.enqueue({ queue: 'x', payload: {}, maxAttempts: 1 });
    const cancelled = await kit.jobs.enqueue({ queue: 'x', payload: {}, key: 'c', runAt: start + DAY });
    await kit.jobs.cancel('c');
    for (const job of await kit.jobs.claim({ owner: 't', limit: 2, leaseMs: 1_000, queues: ['x'] })) {
      if (job.id === done) await kit.jobs.complete(job);
      else await kit.jobs.fail(job, 'no', 0);
    }
    const waiting = await kit.jobs.enqueue({ queue: 'x', payload: {}, runAt: start + 99 * DAY });
    kit.clock.now = start + 6 * DAY;
    const newer = await kit.jobs.enqueue({ queue: 'x', payload: {}, key: 'n', runAt: start + 99 * DAY });
    await kit.jobs.cancel('n');
    kit.clock.now = start + 7 * DAY + 1;
    scheduleRetention(kit.jobs, kit.clock.now);
    expect(await runner.runDue()).toBe(1);
    expect(await kit.jobs.get(done!)).toBeNull();
    expect(await kit.jobs.get(cancelled!)).toBeNull();
    for (const id of [dead, waiting, newer]) expect(await kit.jobs.get(id!)).not.toBeNull();
  });
});
