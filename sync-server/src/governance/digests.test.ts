import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  newId,
  tables,
  THREAD_ROOTS,
  type DecisionId,
  type NotificationId,
  type ThreadId,
  type UserId,
} from '@caucus/schema';
import { eq } from 'drizzle-orm';
import { JobRunner } from '../jobs/job-runner.js';
import { extractThread } from '../projection/extract.js';
import { ProjectionWriter } from '../projection/writer.js';
import {
  DIGEST_JOB_KEY,
  DIGEST_QUEUE,
  DIGEST_TITLE,
  digestHandler,
  localTime,
  scheduleDigests,
  sendDigest,
} from './digests.js';
import { Notifier } from './notifier.js';
import { makeKit, type Kit } from './test-kit.js';

const HOUR = 3_600_000;
/** 1 January 2030 (a Tuesday, winter time: Berlin is UTC+1, New York UTC−5) at `h` UTC. */
const jan = (day: number, h: number) => Date.UTC(2030, 0, day, h);

let kit: Kit;
let runner: JobRunner;
beforeEach(() => {
  kit = makeKit();
  runner = new JobRunner({ store: kit.jobs, handlers: { [DIGEST_QUEUE]: digestHandler(kit.governance) } });
});
afterEach(() => kit.close());

/** Moves the clock to `time` (a few seconds after, as a runner would) and runs what is due. */
async function at(time: number): Promise<number> {
  kit.clock.now = time + 3_000;
  return runner.runDue();
}

/** Every hour from the clock's next full hour up to `until`, one turn each. */
async function hoursUntil(until: number): Promise<void> {
  for (let t = Math.ceil(kit.clock.now / HOUR) * HOUR; t <= until; t += HOUR) await at(t);
}

const digests = (u: UserId) =>
  kit.governance
    .inbox(u)
    .filter((n) => n.title === DIGEST_TITLE)
    .map((n) => ({ body: n.body, link: n.link, at: n.at }));

async function prefs(u: UserId, args: Record<string, unknown>) {
  const [r] = await kit.submit(u, { type: 'prefs.set', args: { mutedKinds: [], ...args } });
  return r;
}

/** Writes messages into a thread's document and projects it, as the read model does. */
function messages(threadId: ThreadId, title: string, authors: UserId[]) {
  const doc = new Y.Doc();
  const list = doc.getArray<Y.Map<unknown>>(THREAD_ROOTS.messages);
  for (const [i, author] of authors.entries()) {
    const at = kit.clock.now + i;
    list.push([new Y.Map<unknown>(Object.entries({ id: `m${i}`, author, text: `message ${i}`, at }))]);
  }
  new ProjectionWriter(kit.db).write(extractThread(threadId, doc, 1, { title, intent: null }));
}

async function propose(actor: UserId, threadId: ThreadId, title: string): Promise<DecisionId> {
  const decisionId = newId<DecisionId>();
  const [r] = await kit.submit(actor, { type: 'decision.propose', args: { decisionId, threadId, title } });
  expect(r?.status).toBe('accepted');
  return decisionId;
}

/** A team with a day's activity; the approvers' digests at 9 in Berlin and 9 in New York. */
async function activeTeam() {
  const t = await kit.team();
  expect((await prefs(t.approver, { timeZone: 'Europe/Berlin', digestHour: 9 }))?.status).toBe('accepted');
  expect((await prefs(t.approver2, { timeZone: 'America/New_York', digestHour: 9 }))?.status).toBe(
    'accepted',
  );
  const launch = await kit.thread(t.editor, t.ws, 'Launch plan');
  messages(launch, 'Launch plan', [t.editor, t.editor, t.owner]);
  // A private thread of the editor and the owner: nobody else hears of it.
  const secret = newId<ThreadId>();
  const [made] = await kit.submit(t.editor, {
    type: 'thread.create',
    args: {
      threadId: secret,
      workspaceId: t.ws,
      title: 'Secret',
      visibility: 'private',
      memberIds: [t.owner],
    },
  });
  expect(made?.status).toBe('accepted');
  messages(secret, 'Secret', [t.owner]);
  await propose(t.owner, secret, 'Hidden choice');
  await propose(t.editor, launch, 'Budget');
  const venue = await propose(t.editor, launch, 'Venue');
  const [resolved] = await kit.submit(t.approver, {
    type: 'decision.resolve',
    args: { decisionId: venue, outcome: 'yes' },
  });
  expect(resolved?.status).toBe('accepted');
  const old = await kit.thread(t.editor, t.ws, 'Old plans');
  const [archive] = await kit.submit(t.editor, { type: 'thread.archive', args: { threadId: old } });
  expect(archive?.status).toBe('awaiting-approval');
  scheduleDigests(kit.jobs, kit.clock.now);
  return t;
}

const approverDigest = [
  'Threads with new messages: “Launch plan” (3 new)',
  'Decisions opened: “Budget”, “Venue”',
  'Decisions resolved: “Venue” → “yes”',
  'Waiting for your approval: t1editor wants to archive the thread “Old plans”',
].join('\n');

describe('daily digests', () => {
  it('go out at each user’s own local hour: 9 in Berlin, 9 in New York, 8 UTC without prefs', async () => {
    const t = await activeTeam();
    const ws = `/workspaces/${t.ws}`;

    await hoursUntil(jan(1, 7));
    for (const u of [t.owner, t.approver, t.approver2, t.editor, t.viewer]) expect(digests(u)).toEqual([]);

    // 08:00 UTC is 9 in Berlin, and the default hour (8 UTC) of those who never set it.
    await at(jan(1, 8));
    expect(digests(t.approver)).toEqual([{ body: approverDigest, link: ws, at: jan(1, 8) + 3_000 }]);
    expect(digests(t.approver2)).toEqual([]);
    // The viewer approves nothing; the editor (in the private thread, as its creator) hears of the
    // others' messages only: their own are no news to them.
    expect(digests(t.viewer)[0]?.body).toBe(approverDigest.split('\n').slice(0, 3).join('\n'));
    expect(digests(t.editor)[0]?.body).toBe(
      [
        'Threads with new messages: “Launch plan” (1 new), “Secret” (1 new)',
        'Decisions opened: “Hidden choice”, “Budget”, “Venue”',
        'Decisions resolved: “Venue” → “yes”',
      ].join('\n'),
    );
    // The owner is in the private thread too (its decision is in their digest; its one message is
    // their own, as is one of the launch plan's).
    expect(digests(t.owner)[0]?.body).toBe(
      [
        'Threads with new messages: “Launch plan” (2 new)',
        'Decisions opened: “Hidden choice”, “Budget”, “Venue”',
        'Decisions resolved: “Venue” → “yes”',
        'Waiting for your approval: t1editor wants to archive the thread “Old plans”',
      ].join('\n'),
    );

    await hoursUntil(jan(1, 13));
    expect(digests(t.approver2)).toEqual([]);
    // 14:00 UTC is 9 in New York.
    await at(jan(1, 14));
    expect(digests(t.approver2)).toEqual([{ body: approverDigest, link: ws, at: jan(1, 14) + 3_000 }]);
    expect(digests(t.approver)).toHaveLength(1);

    // The next day the activity is older than 24 h: only the checkpoint still waiting is news.
    await hoursUntil(jan(2, 8));
    expect(digests(t.approver).map((d) => d.body)).toEqual([
      'Waiting for your approval: t1editor wants to archive the thread “Old plans”',
      approverDigest,
    ]);
    for (const u of [t.viewer, t.editor]) expect(digests(u)).toHaveLength(1);
    expect(digests(t.approver2)).toHaveLength(1);
    expect(kit.db.select().from(tables.jobs).where(eq(tables.jobs.key, DIGEST_JOB_KEY)).get()).toMatchObject({
      state: 'waiting',
      runAt: jan(2, 9),
    });
  });

  it('a user with nothing to hear about gets nothing; nor does one who turned digests off', async () => {
    const quiet = kit.user('quiet');
    kit.workspaces.create(quiet, 'Alone');
    const t = await activeTeam();
    await prefs(t.approver, { digestHour: null });
    await hoursUntil(jan(2, 23));
    expect(digests(quiet)).toEqual([]);
    expect(digests(t.approver)).toEqual([]);
    expect(digests(t.approver2)).toHaveLength(2); // the activity, then the checkpoint still waiting
  });

  it('a turn run twice in the same hour, or a second job, sends once', async () => {
    const t = await activeTeam();
    await hoursUntil(jan(1, 8));
    expect(digests(t.approver)).toHaveLength(1);
    // A second hourly job (a key lost, say) due in the same hour.
    kit.jobs.enqueueNow({ queue: DIGEST_QUEUE, key: 'digest:again', payload: {}, runAt: jan(1, 8) });
    expect(await at(jan(1, 8) + 10 * 60_000)).toBe(1);
    expect(digests(t.approver)).toHaveLength(1);
    expect(digests(t.viewer)).toHaveLength(1);
  });

  it('is emailed by default, and not when the user keeps info in the app', async () => {
    const t = await activeTeam();
    const queued: Array<[NotificationId, UserId]> = [];
    const notifier = new Notifier(kit.db, () => kit.clock.now, {
      enqueue: (id, userId) => void queued.push([id, userId]),
    });
    const hourStart = jan(1, 8);
    kit.clock.now = hourStart;
    await prefs(t.approver2, { delivery: { info: 'in-app' } });
    for (const userId of [t.approver, t.approver2])
      await kit.governance.apply((ctx, changes) =>
        sendDigest({ ...ctx, notifier }, { userId, date: '2030-01-01' }, hourStart, changes),
      );
    expect(queued.map(([, u]) => u)).toEqual([t.approver]);
    expect(digests(t.approver2)).toHaveLength(1);
  });
});

describe('digest preferences', () => {
  it('prefs.set keeps the digest settings when absent, turns them off with null, and checks them', async () => {
    const u = kit.user('ann');
    expect(await prefs(u, { timeZone: 'europe/berlin', digestHour: 18 })).toMatchObject({
      status: 'accepted',
    });
    await prefs(u, { mutedKinds: ['success'] });
    const row = () => kit.db.select().from(tables.prefs).where(eq(tables.prefs.userId, u)).get();
    expect(row()).toMatchObject({ digestHour: 18, timeZone: 'Europe/Berlin', mutedKinds: ['success'] });
    // The inbox document carries them, for the preferences screen.
    expect(kit.hub.doc(`inbox:${u}`).getMap('prefs').toJSON()).toMatchObject({
      digestHour: 18,
      timeZone: 'Europe/Berlin',
    });
    await prefs(u, { digestHour: null });
    expect(row()).toMatchObject({ digestHour: null, timeZone: 'Europe/Berlin' });
    expect(kit.hub.doc(`inbox:${u}`).getMap('prefs').get('digestHour')).toBeNull();

    for (const bad of [
      { timeZone: 'Mars/Olympus' },
      { timeZone: '' },
      { digestHour: 24 },
      { digestHour: 7.5 },
      { digestHour: -1 },
    ]) {
      const r = await prefs(u, bad);
      expect(r).toMatchObject({ status: 'rejected', code: 'invalid-intent' });
      expect(JSON.stringify(r)).toMatch(Object.keys(bad)[0] as string);
    }
    expect(row()).toMatchObject({ digestHour: null, timeZone: 'Europe/Berlin' });
  });

  it('reads local time across zones and changes of summer time, and an unknown zone as UTC', () => {
    expect(localTime(jan(1, 8), 'Europe/Berlin')).toEqual({ date: '2030-01-01', hour: 9 });
    expect(localTime(jan(1, 3), 'America/New_York')).toEqual({ date: '2029-12-31', hour: 22 });
    expect(localTime(Date.UTC(2030, 6, 1, 7), 'Europe/Berlin')).toEqual({ date: '2030-07-01', hour: 9 });
    expect(localTime(jan(1, 23), 'Pacific/Kiritimati')).toEqual({ date: '2030-01-02', hour: 13 });
    expect(localTime(jan(1, 5), 'Not/AZone')).toEqual({ date: '2030-01-01', hour: 5 });
  });
});
