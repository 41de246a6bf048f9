/**
 * Role rules: who may perform each intent, and who may request it instead (then it waits in a
 * checkpoint for approvers: "escalate instead of reject"). The single source for server and client.
 */
import type { IntentType } from '../intents/intent.js';
import type { Role } from '../roles.js';

export interface IntentRule {
  /** The weakest role that performs it; `self` = any signed-in user, on their own inbox. */
  perform: Role | 'self';
  /** The weakest role that may request it through a checkpoint; null = no escalation. */
  request: Role | null;
}

export const INTENT_RULES: { readonly [T in IntentType]: IntentRule } = {
  'thread.create': { perform: 'editor', request: null },
  'thread.archive': { perform: 'approver', request: 'editor' },
  'thread.restore': { perform: 'approver', request: 'editor' },
  // Members of the private thread only; see `private-threads.ts`.
  'thread.addMember': { perform: 'editor', request: null },
  // The thread's creator or an owner; any member may also remove themselves (leave).
  'thread.removeMember': { perform: 'editor', request: null },
  // Giving back an existing conversation needs no role beyond being one of its people.
  'conversation.open': { perform: 'editor', request: null },
  'decision.propose': { perform: 'editor', request: null },
  'decision.approve': { perform: 'approver', request: null },
  'decision.resolve': { perform: 'approver', request: 'editor' },
  'decision.defer': { perform: 'approver', request: 'editor' },
  'decision.reopen': { perform: 'approver', request: 'editor' },
  'checkpoint.approve': { perform: 'approver', request: null },
  // The requester may also withdraw (reject) their own checkpoint.
  'checkpoint.reject': { perform: 'approver', request: null },
  'member.invite': { perform: 'owner', request: null },
  'member.setRole': { perform: 'owner', request: null },
  // Any member may also remove themselves (leave).
  'member.remove': { perform: 'owner', request: null },
  'inbox.markRead': { perform: 'self', request: null },
  'inbox.markAllRead': { perform: 'self', request: null },
  'prefs.set': { perform: 'self', request: null },
};

/**
 * Distinct approvers an archive needs, the requester included when they are an approver — so an
 * approver archives at once and an editor's request waits for one approver.
 */
export const ARCHIVE_REQUIRED_APPROVALS = 1;

/** Approvers an escalated request needs at least (its requester cannot approve it). */
export const MIN_ESCALATED_APPROVALS = 1;

/** Roles that approve checkpoints and decisions. */
export const APPROVING_ROLE: Role = 'approver';
