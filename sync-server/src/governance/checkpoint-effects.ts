/**
 * Checkpoints: opened when the policy escalates an intent, approved by distinct approvers until
 * the intent runs, rejected, or failed when the target moved on so the intent no longer applies.
 */
import {
  applyCheckpointEvent,
  CHECKPOINT_REJECTED,
  isReady,
  isRejection,
  newId,
  openCheckpoint,
  type CheckpointEvent,
  type CheckpointId,
  type CheckpointState,
  type CheckpointTarget,
  type Intent,
  type IntentOf,
  type Json,
  type Rejection,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Changes } from './changes.js';
import { insertCheckpoint, loadCheckpoint, pendingCheckpoints, saveCheckpoint } from './checkpoint-store.js';
import { describeIntent, userName } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { decisionListsChanged } from './private-thread-effects.js';
import { closeCheckpointReminders, scheduleCheckpointReminders } from './reminders.js';
import { membersOf, threadOfTarget } from './reads.js';

/** Runs a checkpoint's intent as its requester; what it returned, or why it no longer applies. */
export type ExecuteAction = (
  action: Intent,
  requester: UserId,
  checkpointId: CheckpointId,
  changes: Changes,
) => { ok: true; result: { [key: string]: Json } } | { ok: false; rejection: Rejection };

/** Why a pending checkpoint's intent no longer applies, or null while it still does. */
export type StillApplies = (checkpoint: CheckpointState) => Rejection | null;

const dedupeKey = (id: CheckpointId) => `checkpoint:${id}`;

function touchTarget(ctx: EffectContext, target: CheckpointTarget, changes: Changes): void {
  // The decision document and the lists of open decisions show the pending checkpoint.
  if (target.kind === 'decision') {
    changes.decisions.add(target.id);
    const thread = threadOfTarget(ctx.db, target);
    if (thread) decisionListsChanged(ctx.db, thread.id, changes);
  }
}

/**
 * The thread a checkpoint's notifications are about: only those who see it hear of the
 * checkpoint (a private thread's approvers are its approving members).
 */
function aboutThread(ctx: EffectContext, target: CheckpointTarget): { about?: ThreadId } {
  const thread = threadOfTarget(ctx.db, target);
  return thread ? { about: thread.id } : {};
}

export interface Escalation {
  target: CheckpointTarget;
  requiredApprovals: number;
  approvals: UserId[];
}

export function openCheckpointEffect(
  ctx: EffectContext,
  actor: UserId,
  intent: Intent,
  escalation: Escalation,
  workspaceId: WorkspaceId,
  changes: Changes,
): CheckpointId {
  const { db } = ctx;
  const now = ctx.now();
  const checkpoint = openCheckpoint(
    {
      id: newId<CheckpointId>(now),
      workspaceId,
      target: escalation.target,
      action: intent,
      requestedBy: actor,
      requiredApprovals: escalation.requiredApprovals,
      approvals: escalation.approvals,
    },
    now,
  );
  insertCheckpoint(db, checkpoint);
  scheduleCheckpointReminders(ctx, checkpoint.id, now);
  touchTarget(ctx, checkpoint.target, changes);
  const approved = new Set(checkpoint.approvals.map((a) => a.userId));
  const approvers = membersOf(db, workspaceId, 'approver').filter((id) => id !== actor && !approved.has(id));
  ctx.notifier.deliver(
    approvers,
    {
      kind: 'checkpoint',
      title: `Approval needed: ${userName(db, actor)} wants to ${describeIntent(db, intent)}`,
      body: `${checkpoint.approvals.length} of ${checkpoint.requiredApprovals} approvals so far.`,
      link: `/checkpoints/${checkpoint.id}`,
      dedupeKey: dedupeKey(checkpoint.id),
      ...aboutThread(ctx, checkpoint.target),
    },
    changes,
  );
  return checkpoint.id;
}

function transition(
  checkpoint: CheckpointState,
  event: CheckpointEvent,
  actor: UserId,
  at: number,
  reason?: string,
): CheckpointState {
  const next = applyCheckpointEvent(checkpoint, event, actor, at, reason);
  if (isRejection(next)) throw new Error(`the policy accepted what the checkpoint refuses: ${next.reason}`);
  return next;
}

/** Stores a closed checkpoint; its approval requests are no longer anyone's to-do. */
function close(ctx: EffectContext, closed: CheckpointState, changes: Changes): void {
  saveCheckpoint(ctx.db, closed);
  ctx.notifier.markReadByKey(dedupeKey(closed.id), changes);
  closeCheckpointReminders(ctx, closed.id, changes);
  touchTarget(ctx, closed.target, changes);
}

function summary(checkpoint: CheckpointState): { [key: string]: Json } {
  return {
    checkpointId: checkpoint.id,
    status: checkpoint.status,
    approvals: checkpoint.approvals.length,
    requiredApprovals: checkpoint.requiredApprovals,
  };
}

function loaded(ctx: EffectContext, id: CheckpointId): CheckpointState {
  const checkpoint = loadCheckpoint(ctx.db, id);
  if (!checkpoint) throw new Error(`checkpoint ${id} vanished inside its transaction`);
  return checkpoint;
}

export function approveCheckpointEffect(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'checkpoint.approve'>,
  changes: Changes,
  execute: ExecuteAction,
): { [key: string]: Json } {
  const { db } = ctx;
  const approved = transition(loaded(ctx, intent.args.checkpointId), 'approve', actor, ctx.now());
  if (!isReady(approved)) {
    saveCheckpoint(db, approved);
    touchTarget(ctx, approved.target, changes);
    return summary(approved);
  }
  const what = describeIntent(db, approved.action);
  const outcome = execute(approved.action, approved.requestedBy, approved.id, changes);
  const closed = outcome.ok
    ? transition(approved, 'execute', actor, ctx.now())
    : transition(approved, 'fail', actor, ctx.now(), outcome.rejection.reason);
  close(ctx, closed, changes);
  changes.checkpointOutcomes.push({
    checkpoint: closed,
    verdict: outcome.ok
      ? { status: 'accepted', result: outcome.result }
      : { status: 'rejected', ...outcome.rejection },
  });
  const about = aboutThread(ctx, approved.target);
  ctx.notifier.deliver(
    [approved.requestedBy],
    outcome.ok
      ? {
          kind: 'success',
          title: `Approved: ${what}`,
          body: `${userName(db, actor)} gave the last approval; it is done.`,
          link: `/checkpoints/${closed.id}`,
          ...about,
        }
      : {
          kind: 'error',
          title: `Approved, but it could not run: ${what}`,
          body: outcome.rejection.reason,
          link: `/checkpoints/${closed.id}`,
          ...about,
        },
    changes,
  );
  return outcome.ok
    ? { ...summary(closed), result: outcome.result }
    : { ...summary(closed), failure: { code: outcome.rejection.code, reason: outcome.rejection.reason } };
}

export function rejectCheckpointEffect(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'checkpoint.reject'>,
  changes: Changes,
): { [key: string]: Json } {
  const { db } = ctx;
  const checkpoint = loaded(ctx, intent.args.checkpointId);
  const closed = transition(checkpoint, 'reject', actor, ctx.now(), intent.args.reason);
  close(ctx, closed, changes);
  const withdrawn = checkpoint.requestedBy === actor;
  changes.checkpointOutcomes.push({
    checkpoint: closed,
    verdict: {
      status: 'rejected',
      code: CHECKPOINT_REJECTED,
      reason:
        (withdrawn ? 'withdrawn by its requester' : 'an approver rejected it') +
        (closed.reason ? `: ${closed.reason}` : ''),
      remedy: withdrawn
        ? 'request it again if it is still wanted'
        : 'talk to the approvers, or request it again',
    },
  });
  if (checkpoint.requestedBy !== actor) {
    ctx.notifier.deliver(
      [checkpoint.requestedBy],
      {
        kind: 'error',
        title: `Rejected: ${describeIntent(db, checkpoint.action)}`,
        body: `${userName(db, actor)} rejected it.${closed.reason ? ` ${closed.reason}` : ''}`,
        link: `/checkpoints/${closed.id}`,
        ...aboutThread(ctx, checkpoint.target),
      },
      changes,
    );
  }
  return summary(closed);
}

/**
 * After `actor` changed `target` directly, fails the checkpoints on it whose intent no longer
 * applies (a resolve waiting on a decision someone just deferred), telling their requesters.
 */
export function failSupersededCheckpoints(
  ctx: EffectContext,
  actor: UserId,
  target: CheckpointTarget,
  changes: Changes,
  stillApplies: StillApplies,
): void {
  for (const checkpoint of pendingCheckpoints(ctx.db, target.id)) {
    const rejection = stillApplies(checkpoint);
    if (!rejection) continue;
    const closed = transition(checkpoint, 'fail', actor, ctx.now(), `superseded: ${rejection.reason}`);
    close(ctx, closed, changes);
    changes.checkpointOutcomes.push({
      checkpoint: closed,
      verdict: { status: 'rejected', ...rejection, reason: closed.reason ?? rejection.reason },
    });
    ctx.notifier.deliver(
      [checkpoint.requestedBy],
      {
        kind: 'error',
        title: `No longer possible: ${describeIntent(ctx.db, checkpoint.action)}`,
        body: closed.reason ?? '',
        link: `/checkpoints/${closed.id}`,
        ...aboutThread(ctx, checkpoint.target),
      },
      changes,
    );
  }
}
