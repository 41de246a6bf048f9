import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
  newId,
  tables,
  type CheckpointId,
  type DecisionId,
  type ThreadId,
  type UserId,
} from '@caucus/schema';
import { JobRunner } from '../jobs/job-runner.js';
import { Changes } from './changes.js';
import { REMINDER_QUEUE, reminderHandler, runReminder } from './reminders.js';
import { makeKit, type Kit } from './test-kit.js';

const HOUR = 3_600_000;

let kit: Kit;
let runner: JobRunner;
beforeEach(() => {
  kit = makeKit();
  runner = new JobRunner({
    store: kit.jobs,
    handlers: { [REMINDER_QUEUE]: reminderHandler(kit.governance) },
  });
});
afterEach(() => kit.close());

/** Moves the clock to `at` and runs what is due then. */
async function at(time: number): Promise<number> {
  kit.clock.now = time;
  return runner.runDue();
}

const warnings = (u: UserId) =>
  kit.governance
    .inbox(u)
    .filter((n) => n.kind === 'warning' || n.kind === 'checkpoint')
    .map((n) => `${n.kind}: ${n.title} → ${n.link}`);

async function propose(actor: UserId, threadId: ThreadId, dueAt?: number): Promise<DecisionId> {
  const decisionId = newId<DecisionId>();
  const [r] = await kit.submit(actor, {
    type: 'decision.propose',
    args: { decisionId, threadId, title: 'Budget', ...(dueAt === undefined ? {} : { dueAt }) },
  });
  expect(r?.status).toBe('accepted');
  return decisionId;
}

const jobStates = () =>
  kit.db
    .select({ key: tables.jobs.key, state: tables.jobs.state })
    .from(tables.jobs)
    .all()
    .map((j) => `${j.key}=${j.state}`)
    .sort();

describe('decision reminders', () => {
  it('a decision due tomorrow reminds its proposer and the approvers 24 h before and when due, once each', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const start = kit.clock.now;
    const dueAt = start + 36 * HOUR;
    const decisionId = await propose(t.editor, threadId, dueAt);
    const link = `/decisions/${decisionId}`;

    expect(await at(start + 12 * HOUR - 1)).toBe(0);
    expect(warnings(t.editor)).toEqual([]);
    expect(await at(start + 12 * HOUR)).toBe(1);
    for (const u of [t.editor, t.owner, t.approver, t.approver2]) {
      expect(warnings(u)).toEqual([`warning: Due in 24 h: “Budget” → ${link}`]);
    }
    expect(warnings(t.viewer)).toEqual([]);

    expect(await at(dueAt - 1)).toBe(0);
    expect(await at(dueAt)).toBe(1);
    expect(await at(dueAt + 48 * HOUR)).toBe(0);
    for (const u of [t.editor, t.owner, t.approver, t.approver2]) {
      expect(warnings(u)).toEqual([
        `warning: Due now: “Budget” → ${link}`,
        `warning: Due in 24 h: “Budget” → ${link}`,
      ]);
    }
    expect(warnings(t.viewer)).toEqual([]);
    expect(jobStates()).toEqual([`reminder:${decisionId}:before=done`, `reminder:${decisionId}:due=done`]);
  });

  it('resolving it first cancels both reminders, in the resolving intent', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const dueAt = kit.clock.now + 36 * HOUR;
    const decisionId = await propose(t.editor, threadId, dueAt);
    const [resolved] = await kit.submit(t.approver, {
      type: 'decision.resolve',
      args: { decisionId, outcome: 'yes' },
    });
    expect(resolved?.status).toBe('accepted');
    expect(jobStates()).toEqual([
      `reminder:${decisionId}:before=cancelled`,
      `reminder:${decisionId}:due=cancelled`,
    ]);
    expect(await at(dueAt + HOUR)).toBe(0);
    expect(warnings(t.editor)).toEqual([]);
  });

  it('deferred after the first reminder, it is not reminded when due; reopened, it is again', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const start = kit.clock.now;
    const dueAt = start + 36 * HOUR;
    const decisionId = await propose(t.editor, threadId, dueAt);
    await at(start + 12 * HOUR);
    await kit.submit(t.approver, { type: 'decision.defer', args: { decisionId } });
    expect(await at(dueAt)).toBe(0);
    expect(warnings(t.owner)).toHaveLength(1);
    kit.clock.now = dueAt - HOUR;
    await kit.submit(t.approver, { type: 'decision.reopen', args: { decisionId } });
    expect(await at(dueAt)).toBe(1);
    expect(warnings(t.owner).map((w) => w.split(' → ')[0])).toEqual([
      'warning: Due now: “Budget”',
      'warning: Due in 24 h: “Budget”',
    ]);
  });

  it('a reminder that runs after the decision was resolved behind its back says nothing', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const dueAt = kit.clock.now + 2 * HOUR;
    const decisionId = await propose(t.editor, threadId, dueAt);
    kit.db
      .update(tables.decisions)
      .set({ status: 'resolved' })
      .where(eq(tables.decisions.id, decisionId))
      .run();
    expect(await at(dueAt)).toBe(1);
    expect(warnings(t.owner)).toEqual([]);
  });

  it('a rejected proposal schedules nothing; a due date already past schedules nothing', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const [r] = await kit.submit(t.viewer, {
      type: 'decision.propose',
      args: { decisionId: newId<DecisionId>(), threadId, title: 'No', dueAt: kit.clock.now + 48 * HOUR },
    });
    expect(r?.status).toBe('rejected');
    await propose(t.editor, threadId, kit.clock.now - 1);
    expect(jobStates()).toEqual([]);
  });

  it('runs twice (a crash after it notified), it notifies once', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const dueAt = kit.clock.now + 2 * HOUR;
    const decisionId = await propose(t.editor, threadId, dueAt);
    kit.clock.now = dueAt;
    const payload = { kind: 'decision-due', decisionId, dueAt };
    for (let i = 0; i < 2; i++)
      await kit.governance.apply((ctx, changes) => runReminder(ctx, payload, changes));
    expect(warnings(t.owner)).toHaveLength(1);
    expect(() => runReminder({} as never, { kind: 'nonsense' }, new Changes())).toThrow(
      'unknown reminder kind',
    );
  });
});

describe('checkpoint reminders', () => {
  async function archiveRequest(t: Awaited<ReturnType<Kit['team']>>): Promise<CheckpointId> {
    const threadId = await kit.thread(t.editor, t.ws, 'Old plans');
    const [r] = await kit.submit(t.editor, { type: 'thread.archive', args: { threadId } });
    if (r?.status !== 'awaiting-approval') throw new Error(JSON.stringify(r));
    return r.checkpointId;
  }

  it('a checkpoint left waiting reminds the approvers after a day, then escalates to the owners', async () => {
    const t = await kit.team();
    const start = kit.clock.now;
    const checkpointId = await archiveRequest(t);
    const link = `/checkpoints/${checkpointId}`;
    const still = `checkpoint: Still waiting for your approval: t1editor wants to archive the thread “Old plans” → ${link}`;
    const request = `checkpoint: Approval needed: t1editor wants to archive the thread “Old plans” → ${link}`;
    expect(await at(start + 24 * HOUR - 10)).toBe(0);
    expect(await at(start + 24 * HOUR + 10)).toBe(1);
    for (const u of [t.owner, t.approver, t.approver2]) expect(warnings(u)).toEqual([still, request]);
    expect(warnings(t.editor)).toEqual([]);
    expect(await at(start + 72 * HOUR + 10)).toBe(1);
    expect(warnings(t.owner)[0]).toBe(
      `warning: Escalated, nobody approved it: t1editor wants to archive the thread “Old plans” → ${link}`,
    );
    expect(warnings(t.approver)).toEqual([still, request]);
  });

  it('approved in time, it is neither reminded nor escalated, and the reminder sent is no longer a to-do', async () => {
    const t = await kit.team();
    const start = kit.clock.now;
    const checkpointId = await archiveRequest(t);
    await at(start + 25 * HOUR);
    await kit.submit(t.approver, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(await at(start + 100 * HOUR)).toBe(0);
    expect(warnings(t.owner).some((w) => w.startsWith('warning: Escalated'))).toBe(false);
    const reminder = kit.governance.inbox(t.approver2).find((n) => n.title.startsWith('Still waiting'));
    expect(reminder?.readAt).toBeDefined();
  });

  it('the times are configurable', async () => {
    kit.close();
    kit = makeKit({
      reminders: { checkpointRemindMs: HOUR, checkpointEscalateMs: 2 * HOUR, decisionLeadMs: HOUR },
    });
    runner = new JobRunner({
      store: kit.jobs,
      handlers: { [REMINDER_QUEUE]: reminderHandler(kit.governance) },
    });
    const t = await kit.team();
    const start = kit.clock.now;
    await archiveRequest(t);
    expect(await at(start + HOUR + 10)).toBe(1);
    expect(await at(start + 2 * HOUR + 10)).toBe(1);
    expect(warnings(t.owner).map((w) => w.split(':')[1])).toEqual([
      ' Escalated, nobody approved it',
      ' Still waiting for your approval',
      ' Approval needed',
    ]);
    const threadId = await kit.thread(t.editor, t.ws);
    await propose(t.editor, threadId, kit.clock.now + 3 * HOUR);
    expect(await at(kit.clock.now + 2 * HOUR)).toBe(1);
    expect(warnings(t.editor)).toEqual([expect.stringMatching(/^warning: Due in 1 h: “Budget”/)]);
  });
});
