/**
 * The decision state machine. Pure: the server applies it to SQLite rows, a client to its copy of
 * the `decision:<id>` document to preview its queued intents.
 */
import type { CheckpointId, DecisionId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import { reject, type Rejection } from './rejections.js';

export const DECISION_STATUSES = ['open', 'resolved', 'deferred'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

export const DECISION_ACTIONS = ['approve', 'resolve', 'defer', 'reopen'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** Every allowed transition: action → from-status → to-status. Anything missing is forbidden. */
export const DECISION_TRANSITIONS: {
  readonly [A in DecisionAction]: Readonly<Partial<Record<DecisionStatus, DecisionStatus>>>;
} = {
  approve: { open: 'open' },
  resolve: { open: 'resolved' },
  defer: { open: 'deferred' },
  reopen: { resolved: 'open', deferred: 'open' },
};

export const DECISION_HISTORY_ACTIONS = ['proposed', 'approved', 'resolved', 'deferred', 'reopened'] as const;
export type DecisionHistoryAction = (typeof DECISION_HISTORY_ACTIONS)[number];

/** One line of a decision's history, oldest first. */
export interface DecisionHistoryEntry {
  at: number;
  actor: UserId;
  action: DecisionHistoryAction;
  outcome?: string;
  until?: number;
  reason?: string;
  /** Set when the action ran because this checkpoint was approved. */
  checkpointId?: CheckpointId;
}

export interface DecisionApproval {
  userId: UserId;
  at: number;
}

/** The authoritative state of one decision (SQLite), published as the `decision:<id>` document. */
export interface DecisionState {
  id: DecisionId;
  workspaceId: WorkspaceId;
  threadId: ThreadId;
  title: string;
  status: DecisionStatus;
  /** Labels; when there are any, the outcome is one of them. */
  options: string[];
  outcome: string | null;
  /** Distinct approvers (the resolver included) needed before it resolves; 0 = none. */
  requiredApprovals: number;
  /** Approvals of the current round (a reopen starts a new round). */
  approvals: DecisionApproval[];
  dueAt: number | null;
  deferredUntil: number | null;
  deferReason: string | null;
  proposedBy: UserId;
  resolvedBy: UserId | null;
  /** 1 when proposed; every accepted change adds one (the `basis.version` clients send). */
  version: number;
  createdAt: number;
  /** When it last became open (proposed or reopened): what aging is measured from. */
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  history: DecisionHistoryEntry[];
}

export interface ProposeInput {
  id: DecisionId;
  workspaceId: WorkspaceId;
  threadId: ThreadId;
  title: string;
  options?: string[] | undefined;
  requiredApprovals?: number | undefined;
  dueAt?: number | undefined;
}

export function proposeDecision(input: ProposeInput, actor: UserId, at: number): DecisionState {
  return {
    id: input.id,
    workspaceId: input.workspaceId,
    threadId: input.threadId,
    title: input.title,
    status: 'open',
    options: input.options ?? [],
    outcome: null,
    requiredApprovals: input.requiredApprovals ?? 0,
    approvals: [],
    dueAt: input.dueAt ?? null,
    deferredUntil: null,
    deferReason: null,
    proposedBy: actor,
    resolvedBy: null,
    version: 1,
    createdAt: at,
    openedAt: at,
    updatedAt: at,
    resolvedAt: null,
    history: [{ at, actor, action: 'proposed' }],
  };
}

export type DecisionEvent =
  | { action: 'approve' }
  | { action: 'resolve'; outcome: string; checkpointId?: CheckpointId | undefined }
  | {
      action: 'defer';
      until?: number | undefined;
      reason?: string | undefined;
      checkpointId?: CheckpointId | undefined;
    }
  | { action: 'reopen'; checkpointId?: CheckpointId | undefined };

export function canTransition(status: DecisionStatus, action: DecisionAction): boolean {
  return DECISION_TRANSITIONS[action][status] !== undefined;
}

/** Why `event` does not fit `decision`, or null when it does. */
export function checkDecisionEvent(
  decision: DecisionState,
  event: DecisionEvent,
  actor: UserId,
): Rejection | null {
  if (!canTransition(decision.status, event.action)) {
    return reject(
      'invalid-transition',
      `a ${decision.status} decision cannot be ${PAST[event.action]}`,
      event.action === 'reopen' || decision.status === 'open'
        ? 'reload the decision and check its status'
        : 'reopen the decision first',
    );
  }
  if (event.action === 'approve' && decision.approvals.some((a) => a.userId === actor)) {
    return reject('already-approved', 'you already approved this decision', 'nothing to do');
  }
  if (
    event.action === 'resolve' &&
    decision.options.length > 0 &&
    !decision.options.includes(event.outcome)
  ) {
    return reject(
      'invalid-args',
      'the outcome is not one of the decision’s options',
      `choose one of: ${decision.options.join(', ')}`,
    );
  }
  return null;
}

const PAST: Record<DecisionAction, DecisionHistoryAction> = {
  approve: 'approved',
  resolve: 'resolved',
  defer: 'deferred',
  reopen: 'reopened',
};

/** Applies `event` (checked with {@link checkDecisionEvent} first); returns the next state. */
export function applyDecisionEvent(
  decision: DecisionState,
  event: DecisionEvent,
  actor: UserId,
  at: number,
): DecisionState | Rejection {
  const refused = checkDecisionEvent(decision, event, actor);
  if (refused) return refused;
  const status = DECISION_TRANSITIONS[event.action][decision.status] as DecisionStatus;
  const entry: DecisionHistoryEntry = { at, actor, action: PAST[event.action] };
  const next: DecisionState = {
    ...decision,
    status,
    version: decision.version + 1,
    updatedAt: at,
    history: [...decision.history, entry],
  };
  if (event.action !== 'approve' && event.checkpointId !== undefined) entry.checkpointId = event.checkpointId;
  switch (event.action) {
    case 'approve':
      next.approvals = [...decision.approvals, { userId: actor, at }];
      break;
    case 'resolve':
      next.outcome = event.outcome;
      next.resolvedAt = at;
      next.resolvedBy = actor;
      entry.outcome = event.outcome;
      break;
    case 'defer':
      next.deferredUntil = event.until ?? null;
      next.deferReason = event.reason || null;
      if (event.until !== undefined) entry.until = event.until;
      if (event.reason) entry.reason = event.reason;
      break;
    case 'reopen':
      next.outcome = null;
      next.resolvedAt = null;
      next.resolvedBy = null;
      next.deferredUntil = null;
      next.deferReason = null;
      next.approvals = [];
      next.openedAt = at;
      break;
  }
  return next;
}

/**
 * Who follows a decision (and hears when it is resolved, deferred or reopened): its proposer,
 * everyone who approved it and everyone who acted on it.
 */
export function decisionFollowers(decision: DecisionState): UserId[] {
  const followers = new Set<UserId>([decision.proposedBy]);
  for (const a of decision.approvals) followers.add(a.userId);
  for (const h of decision.history) followers.add(h.actor);
  return [...followers];
}
