/**
 * The checkpoint state machine ("governance before execution"): an action with consequences waits
 * in a checkpoint for approvals by distinct approvers, then runs; a rejection closes it.
 */
import type { CheckpointId, DecisionId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import type { Intent } from '../intents/intent.js';
import { reject, type Rejection } from './rejections.js';

export const CHECKPOINT_STATUSES = ['pending', 'executed', 'failed', 'rejected'] as const;
export type CheckpointStatus = (typeof CHECKPOINT_STATUSES)[number];

/**
 * `approve` adds an approval (the checkpoint stays pending); once enough approvals are in, the
 * server runs the action: `execute` when it succeeds, `fail` when the target changed so that it no
 * longer applies. `reject` is an approver's no (or the requester withdrawing).
 */
export const CHECKPOINT_EVENTS = ['approve', 'reject', 'execute', 'fail'] as const;
export type CheckpointEvent = (typeof CHECKPOINT_EVENTS)[number];

export const CHECKPOINT_TRANSITIONS: {
  readonly [E in CheckpointEvent]: Readonly<Partial<Record<CheckpointStatus, CheckpointStatus>>>;
} = {
  approve: { pending: 'pending' },
  reject: { pending: 'rejected' },
  execute: { pending: 'executed' },
  fail: { pending: 'failed' },
};

export type CheckpointTarget = { kind: 'decision'; id: DecisionId } | { kind: 'thread'; id: ThreadId };

export interface CheckpointApproval {
  userId: UserId;
  at: number;
}

/** The authoritative state of one checkpoint (SQLite). */
export interface CheckpointState {
  id: CheckpointId;
  workspaceId: WorkspaceId;
  target: CheckpointTarget;
  /** The intent that waits; it runs as its requester once approved. */
  action: Intent;
  requestedBy: UserId;
  requiredApprovals: number;
  approvals: CheckpointApproval[];
  status: CheckpointStatus;
  /** 1 when created; every accepted change adds one. */
  version: number;
  createdAt: number;
  closedAt: number | null;
  /** Who rejected it, or whose approval made it run. */
  closedBy: UserId | null;
  /** The rejection reason, or why the action failed. */
  reason: string | null;
}

/** True once enough distinct approvers approved: the action may run. */
export function isReady(checkpoint: CheckpointState): boolean {
  return checkpoint.approvals.length >= checkpoint.requiredApprovals;
}

export function canCheckpointTransition(status: CheckpointStatus, event: CheckpointEvent): boolean {
  return CHECKPOINT_TRANSITIONS[event][status] !== undefined;
}

export interface NewCheckpoint {
  id: CheckpointId;
  workspaceId: WorkspaceId;
  target: CheckpointTarget;
  action: Intent;
  requestedBy: UserId;
  requiredApprovals: number;
  /** Approvals it starts with (the requester's own, when they may approve). */
  approvals: readonly UserId[];
}

export function openCheckpoint(input: NewCheckpoint, at: number): CheckpointState {
  return {
    id: input.id,
    workspaceId: input.workspaceId,
    target: input.target,
    action: input.action,
    requestedBy: input.requestedBy,
    requiredApprovals: input.requiredApprovals,
    approvals: [...new Set(input.approvals)].map((userId) => ({ userId, at })),
    status: 'pending',
    version: 1,
    createdAt: at,
    closedAt: null,
    closedBy: null,
    reason: null,
  };
}

/**
 * Applies `event` to `checkpoint`: the next state, or why it does not apply. After an `approve`,
 * {@link isReady} says whether the action should now run.
 */
export function applyCheckpointEvent(
  checkpoint: CheckpointState,
  event: CheckpointEvent,
  actor: UserId,
  at: number,
  reason?: string,
): CheckpointState | Rejection {
  const status = CHECKPOINT_TRANSITIONS[event][checkpoint.status];
  if (status === undefined) {
    return reject(
      'invalid-transition',
      `the checkpoint is ${checkpoint.status}; it cannot be ${event === 'approve' ? 'approved' : event === 'reject' ? 'rejected' : 'run'}`,
      'nothing to do: it was already decided',
    );
  }
  if (event === 'approve' && checkpoint.approvals.some((a) => a.userId === actor)) {
    return reject('already-approved', 'you already approved this checkpoint', 'wait for other approvers');
  }
  const next: CheckpointState = { ...checkpoint, status, version: checkpoint.version + 1 };
  if (event === 'approve') next.approvals = [...checkpoint.approvals, { userId: actor, at }];
  else {
    next.closedAt = at;
    next.closedBy = actor;
    next.reason = reason || null;
  }
  return next;
}
