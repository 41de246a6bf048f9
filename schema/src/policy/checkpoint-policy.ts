/**
 * The policy of checkpoints: approvers approve or reject, the requester may withdraw (reject) but
 * never approve their own; and what a checkpoint for an intent waits on.
 */
import type { Intent, IntentOf } from '../intents/intent.js';
import { roleAtLeast } from '../roles.js';
import { applyCheckpointEvent, type CheckpointTarget } from './checkpoint-machine.js';
import type { Actor, PolicyState, Ruling } from './policy-state.js';
import { isRejection, reject } from './rejections.js';
import { ACCEPTED, authorize, checkBasis, notFound, rejected } from './ruling.js';

export function decideCheckpoint(
  actor: Actor,
  state: PolicyState,
  intent: IntentOf<'checkpoint.approve' | 'checkpoint.reject'>,
): Ruling {
  const checkpoint = state.checkpoint;
  if (!checkpoint || state.role === null) return notFound('checkpoint');
  const mayApprove = roleAtLeast(state.role, 'approver');
  const isRequester = checkpoint.requestedBy === actor.userId;
  if (intent.type === 'checkpoint.reject' ? !mayApprove && !isRequester : !mayApprove) {
    const who = authorize(state.role, intent.type);
    if (typeof who !== 'string') return who;
  }
  if (intent.type === 'checkpoint.approve' && isRequester) {
    const already = checkpoint.approvals.some((a) => a.userId === actor.userId);
    if (!already) {
      return rejected(
        reject(
          'forbidden',
          'you requested this checkpoint; you cannot approve it yourself',
          'wait for another approver',
        ),
      );
    }
  }
  const stale = checkBasis(
    intent,
    { version: checkpoint.version, status: checkpoint.status },
    `checkpoint ${checkpoint.id}`,
  );
  if (stale) return stale;
  const event = intent.type === 'checkpoint.approve' ? 'approve' : 'reject';
  const next = applyCheckpointEvent(checkpoint, event, actor.userId, 0);
  return isRejection(next) ? rejected(next) : ACCEPTED;
}

/** What a checkpoint for `intent` waits on, when it is an intent that can wait. */
export function checkpointTarget(intent: Intent): CheckpointTarget | null {
  switch (intent.type) {
    case 'thread.archive':
    case 'thread.restore':
      return { kind: 'thread', id: intent.args.threadId };
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen':
      return { kind: 'decision', id: intent.args.decisionId };
    default:
      return null;
  }
}
