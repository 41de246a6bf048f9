/**
 * Reminders and escalation, on the job queue. Scheduled by the effects of the intent that causes
 * them, inside its transaction (a decision proposed with `dueAt`, a checkpoint opened), cancelled
 * by the ones that make them moot (resolved, deferred, closed), and checked again when they run:
 * a reminder for a decision no longer open, or a checkpoint no longer pending, does nothing.
 *
 * Each reminder's notification carries its job key as dedupe key, so a job that runs twice (a
 * crash after the notification committed, before the job was marked done) notifies once.
 */
import type { CheckpointId, DecisionId, DecisionState, UserId } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import type { JobId, NewJob } from '../jobs/job-store.js';
import type { JobHandler } from '../jobs/job-runner.js';
import type { Changes } from './changes.js';
import { loadCheckpoint } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { describeIntent, quote, userName } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { membersOf, threadOfTarget } from './reads.js';

/** The queue reminders and escalations run on. */
export const REMINDER_QUEUE = 'reminders';

const HOUR_MS = 3_600_000;

export interface ReminderSettings {
  /** A decision with `dueAt` reminds this long before it (and again when due). */
  decisionLeadMs: number;
  /** A checkpoint still pending this long after it opened reminds its approvers again. */
  checkpointRemindMs: number;
  /** …and this long after it opened is escalated to the workspace's owners. */
  checkpointEscalateMs: number;
}

export const DEFAULT_REMINDERS: ReminderSettings = {
  decisionLeadMs: 24 * HOUR_MS,
  checkpointRemindMs: 24 * HOUR_MS,
  checkpointEscalateMs: 72 * HOUR_MS,
};

/** What effects need of the queue: writes in the intent's own transaction. */
export interface JobScheduler {
  enqueueNow(job: NewJob, tx?: Db): JobId | null;
  cancelNow(key: string, tx?: Db): number;
}

type ReminderKind = 'decision-before' | 'decision-due' | 'checkpoint-remind' | 'checkpoint-escalate';

const decisionKeys = (id: DecisionId) => ({ before: `reminder:${id}:before`, due: `reminder:${id}:due` });
const checkpointKeys = (id: CheckpointId) => ({
  remind: `reminder:${id}:remind`,
  escalate: `reminder:${id}:escalate`,
});

/** "24 h", "90 min": how far ahead a reminder is, for its title. */
export function aheadText(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/** Schedules the reminders of an open decision with `dueAt` (none for times already past). */
export function scheduleDecisionReminders(ctx: EffectContext, decision: DecisionState): void {
  if (decision.dueAt === null || decision.status !== 'open') return;
  const now = ctx.now();
  const keys = decisionKeys(decision.id);
  const before = decision.dueAt - ctx.reminders.decisionLeadMs;
  const payload = { decisionId: decision.id, dueAt: decision.dueAt };
  if (before > now) {
    ctx.jobs.enqueueNow(
      {
        queue: REMINDER_QUEUE,
        key: keys.before,
        runAt: before,
        payload: { ...payload, kind: 'decision-before' },
      },
      ctx.db,
    );
  }
  if (decision.dueAt > now) {
    ctx.jobs.enqueueNow(
      {
        queue: REMINDER_QUEUE,
        key: keys.due,
        runAt: decision.dueAt,
        payload: { ...payload, kind: 'decision-due' },
      },
      ctx.db,
    );
  }
}

export function cancelDecisionReminders(ctx: EffectContext, id: DecisionId): void {
  for (const key of Object.values(decisionKeys(id))) ctx.jobs.cancelNow(key, ctx.db);
}

export function scheduleCheckpointReminders(ctx: EffectContext, id: CheckpointId, openedAt: number): void {
  const keys = checkpointKeys(id);
  const { checkpointRemindMs, checkpointEscalateMs } = ctx.reminders;
  ctx.jobs.enqueueNow(
    {
      queue: REMINDER_QUEUE,
      key: keys.remind,
      runAt: openedAt + checkpointRemindMs,
      payload: { kind: 'checkpoint-remind', checkpointId: id },
    },
    ctx.db,
  );
  ctx.jobs.enqueueNow(
    {
      queue: REMINDER_QUEUE,
      key: keys.escalate,
      runAt: openedAt + checkpointEscalateMs,
      payload: { kind: 'checkpoint-escalate', checkpointId: id },
    },
    ctx.db,
  );
}

/** A closed checkpoint's reminders are cancelled, and the ones sent are no longer anyone's to-do. */
export function closeCheckpointReminders(ctx: EffectContext, id: CheckpointId, changes: Changes): void {
  for (const key of Object.values(checkpointKeys(id))) {
    ctx.jobs.cancelNow(key, ctx.db);
    ctx.notifier.markReadByKey(key, changes);
  }
}

function remindDecision(
  ctx: EffectContext,
  kind: ReminderKind,
  id: DecisionId,
  dueAt: number,
  changes: Changes,
) {
  const decision = loadDecision(ctx.db, id);
  // Resolved, deferred, deleted, or its due date moved since: nothing to say.
  if (!decision || decision.status !== 'open' || decision.dueAt !== dueAt) return;
  const keys = decisionKeys(id);
  const before = kind === 'decision-before';
  const recipients: UserId[] = [decision.proposedBy, ...membersOf(ctx.db, decision.workspaceId, 'approver')];
  ctx.notifier.deliver(
    recipients,
    {
      kind: 'warning',
      title: before
        ? `Due in ${aheadText(dueAt - ctx.now())}: ${quote(decision.title)}`
        : `Due now: ${quote(decision.title)}`,
      body: `The decision is due ${new Date(dueAt).toISOString()} and still open.`,
      link: `/decisions/${id}`,
      dedupeKey: before ? keys.before : keys.due,
      about: decision.threadId,
    },
    changes,
  );
}

function remindCheckpoint(ctx: EffectContext, kind: ReminderKind, id: CheckpointId, changes: Changes) {
  const { db } = ctx;
  const checkpoint = loadCheckpoint(db, id);
  if (!checkpoint || checkpoint.status !== 'pending') return;
  const keys = checkpointKeys(id);
  const thread = threadOfTarget(db, checkpoint.target);
  const about = thread ? { about: thread.id } : {};
  const waited = aheadText(ctx.now() - checkpoint.createdAt);
  const what = `${userName(db, checkpoint.requestedBy)} wants to ${describeIntent(db, checkpoint.action)}`;
  const progress = `${checkpoint.approvals.length} of ${checkpoint.requiredApprovals} approvals after ${waited}.`;
  if (kind === 'checkpoint-remind') {
    const approved = new Set(checkpoint.approvals.map((a) => a.userId));
    ctx.notifier.deliver(
      membersOf(db, checkpoint.workspaceId, 'approver').filter(
        (u) => u !== checkpoint.requestedBy && !approved.has(u),
      ),
      {
        kind: 'checkpoint',
        title: `Still waiting for your approval: ${what}`,
        body: progress,
        link: `/checkpoints/${id}`,
        dedupeKey: keys.remind,
        ...about,
      },
      changes,
    );
    return;
  }
  ctx.notifier.deliver(
    membersOf(db, checkpoint.workspaceId, 'owner'),
    {
      kind: 'warning',
      title: `Escalated, nobody approved it: ${what}`,
      body: progress,
      link: `/checkpoints/${id}`,
      dedupeKey: keys.escalate,
      ...about,
    },
    changes,
  );
}

/** Runs one reminder job inside a governance transaction. */
export function runReminder(ctx: EffectContext, payload: Record<string, unknown>, changes: Changes): void {
  const kind = payload.kind as ReminderKind;
  switch (kind) {
    case 'decision-before':
    case 'decision-due':
      remindDecision(ctx, kind, payload.decisionId as DecisionId, Number(payload.dueAt), changes);
      return;
    case 'checkpoint-remind':
    case 'checkpoint-escalate':
      remindCheckpoint(ctx, kind, payload.checkpointId as CheckpointId, changes);
      return;
    default:
      throw new Error(`unknown reminder kind ${String(payload.kind)}`);
  }
}

/** The `reminders` queue's handler, on governance's `apply` (one transaction, then published). */
export function reminderHandler(governance: {
  apply<T>(effect: (ctx: EffectContext, changes: Changes) => T): Promise<T>;
}): JobHandler {
  return (job) => governance.apply((ctx, changes) => runReminder(ctx, job.payload, changes));
}
