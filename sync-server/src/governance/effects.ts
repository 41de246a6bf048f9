/**
 * Applies an intent the policy accepted: one switch over the intent types, each handled by the
 * effects of its domain. Runs inside the intent's transaction.
 */
import {
  checkpointTarget,
  decide,
  type CheckpointId,
  type CheckpointState,
  type Intent,
  type Json,
  type Rejection,
  type UserId,
} from '@caucus/schema';
import type { Changes } from './changes.js';
import {
  approveCheckpointEffect,
  failSupersededCheckpoints,
  rejectCheckpointEffect,
  type ExecuteAction,
} from './checkpoint-effects.js';
import { changeDecisionEffect, proposeDecisionEffect } from './decision-effects.js';
import type { EffectContext } from './effect-context.js';
import { inviteMember, removeMember, setMemberRole } from './member-effects.js';
import { addThreadMember, openConversation, removeThreadMember } from './private-thread-effects.js';
import { loadPolicyState } from './state.js';
import { createThread, setThreadStatus } from './thread-effects.js';

type Result = { [key: string]: Json };

/** Why `action` would no longer run as `requester` after its checkpoint's approval, or null. */
function whyNot(ctx: EffectContext, action: Intent, requester: UserId): Rejection | null {
  const { state } = loadPolicyState(ctx.db, requester, action);
  const ruling = decide({ userId: requester }, state, action, { approved: true });
  if (ruling.status === 'accepted') return null;
  if (ruling.status === 'rejected')
    return { code: ruling.code, reason: ruling.reason, remedy: ruling.remedy };
  return {
    code: 'invalid-transition',
    reason: 'it would need another checkpoint',
    remedy: 'request it again',
  };
}

/**
 * Applies `intent` by `actor`. `checkpointId` is set when an approved checkpoint runs it; the
 * checkpoint is then left alone when others on the same target are reviewed.
 */
export function applyIntent(
  ctx: EffectContext,
  actor: UserId,
  intent: Intent,
  changes: Changes,
  checkpointId?: CheckpointId,
): Result {
  const result = applyOne(ctx, actor, intent, changes, checkpointId);
  const target = checkpointTarget(intent);
  if (target) {
    const stillApplies = (checkpoint: CheckpointState) =>
      checkpoint.id === checkpointId ? null : whyNot(ctx, checkpoint.action, checkpoint.requestedBy);
    failSupersededCheckpoints(ctx, actor, target, changes, stillApplies);
  }
  return result;
}

function applyOne(
  ctx: EffectContext,
  actor: UserId,
  intent: Intent,
  changes: Changes,
  checkpointId: CheckpointId | undefined,
): Result {
  switch (intent.type) {
    case 'thread.create':
      return createThread(ctx, actor, intent, changes);
    case 'thread.archive':
    case 'thread.restore':
      return setThreadStatus(ctx, intent, changes);
    case 'thread.addMember':
      return addThreadMember(ctx, actor, intent, changes);
    case 'thread.removeMember':
      return removeThreadMember(ctx, actor, intent, changes);
    case 'conversation.open':
      return openConversation(ctx, actor, intent, changes);
    case 'decision.propose':
      return proposeDecisionEffect(ctx, actor, intent, changes);
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen':
      return changeDecisionEffect(ctx, actor, intent, changes, checkpointId);
    case 'checkpoint.approve': {
      const execute: ExecuteAction = (action, requester, id, more) => {
        const rejection = whyNot(ctx, action, requester);
        if (rejection) return { ok: false, rejection };
        return { ok: true, result: applyIntent(ctx, requester, action, more, id) };
      };
      return approveCheckpointEffect(ctx, actor, intent, changes, execute);
    }
    case 'checkpoint.reject':
      return rejectCheckpointEffect(ctx, actor, intent, changes);
    case 'member.invite':
      return inviteMember(ctx, actor, intent, changes);
    case 'member.setRole':
      return setMemberRole(ctx, actor, intent, changes);
    case 'member.remove':
      return removeMember(ctx, actor, intent, changes);
    case 'inbox.markRead':
      return { marked: ctx.notifier.markRead(actor, intent.args.notificationIds, changes) };
    case 'inbox.markAllRead':
      return { marked: ctx.notifier.markAllRead(actor, changes) };
    case 'prefs.set': {
      const { mutedKinds, delivery, digestHour, timeZone } = intent.args;
      ctx.notifier.setPrefs(actor, intent.args, changes);
      return {
        mutedKinds,
        ...(delivery ? { delivery } : {}),
        ...(digestHour !== undefined ? { digestHour } : {}),
        ...(timeZone !== undefined ? { timeZone } : {}),
      };
    }
  }
}
