/**
 * The building blocks every domain's rules share: the accepted and rejected rulings, the role
 * check (`authorize`), the basis check (`checkBasis`: what the client saw still holds) and the
 * checkpoint gate.
 */
import type { CheckpointId, UserId } from '../ids.js';
import type { Intent, IntentType } from '../intents/intent.js';
import { roleAtLeast, type Role } from '../roles.js';
import type { CheckpointTarget } from './checkpoint-machine.js';
import type { Actor, PolicyState, Ruling } from './policy-state.js';
import { reject, type Rejection } from './rejections.js';
import { INTENT_RULES, MIN_ESCALATED_APPROVALS } from './rules.js';

export const ACCEPTED: Ruling = { status: 'accepted' };

export function rejected(rejection: Rejection): Ruling {
  return { status: 'rejected', ...rejection };
}

const VERBS: Record<IntentType, string> = {
  'thread.create': 'create threads',
  'thread.archive': 'archive threads',
  'thread.restore': 'restore threads',
  'thread.addMember': 'add members to threads',
  'thread.removeMember': 'remove members from threads',
  'conversation.open': 'start conversations',
  'decision.propose': 'propose decisions',
  'decision.approve': 'approve decisions',
  'decision.resolve': 'resolve decisions',
  'decision.defer': 'defer decisions',
  'decision.reopen': 'reopen decisions',
  'checkpoint.approve': 'approve checkpoints',
  'checkpoint.reject': 'reject checkpoints',
  'member.invite': 'invite members',
  'member.setRole': 'change roles',
  'member.remove': 'remove members',
  'inbox.markRead': 'change this inbox',
  'inbox.markAllRead': 'change this inbox',
  'prefs.set': 'change these preferences',
};

export function notFound(what: string): Ruling {
  return rejected(
    reject('not-found', `${what} not found`, 'check the id, or ask an owner to add you to its workspace'),
  );
}

export type Authority = 'perform' | 'request';

/** Whether `role` may perform or request `type`, or the rejection when neither. */
export function authorize(role: Role, type: IntentType): Authority | Ruling {
  const rule = INTENT_RULES[type];
  if (rule.perform === 'self' || roleAtLeast(role, rule.perform)) return 'perform';
  if (rule.request !== null && roleAtLeast(role, rule.request)) return 'request';
  const needed = rule.request ?? rule.perform;
  return rejected(
    reject(
      'forbidden',
      `${role}s cannot ${VERBS[type]}`,
      `ask an owner for the ${needed} role${rule.request ? ' (or more) to request it' : ''}`,
    ),
  );
}

/** The basis check: every field the client saw must still hold. */
export function checkBasis(
  intent: Intent,
  current: { version?: number; status: string },
  what: string,
): Ruling | null {
  const basis = intent.basis;
  if (!basis) return null;
  const versionMoved =
    basis.version !== undefined && current.version !== undefined && basis.version !== current.version;
  const statusMoved = basis.status !== undefined && basis.status !== current.status;
  if (!versionMoved && !statusMoved) return null;
  const now =
    current.version === undefined ? current.status : `${current.status}, version ${current.version}`;
  const saw =
    [basis.status, basis.version === undefined ? undefined : `version ${basis.version}`]
      .filter((s) => s !== undefined)
      .join(', ') || 'an older state';
  return rejected(
    reject(
      'stale',
      `${what} changed since you saw it (you saw ${saw}; it is now ${now})`,
      `reload ${what} and make the intent again if it still applies`,
    ),
  );
}

/**
 * The checkpoint gate. A performer's own approval counts with `seeded`; when that reaches
 * `required` the intent runs now, otherwise it waits. A requester's intent always waits, for
 * approvals given on the checkpoint itself.
 */
export function gate(
  actor: Actor,
  state: PolicyState,
  authority: Authority,
  target: CheckpointTarget,
  required: number,
  seeded: readonly UserId[] = [],
): Ruling {
  if (authority === 'perform') {
    const approvals = [...new Set([...seeded, actor.userId])];
    if (approvals.length >= required) return ACCEPTED;
    if (state.pendingCheckpoint) return pendingCheckpoint(state.pendingCheckpoint);
    return { status: 'escalate', target, requiredApprovals: required, approvals };
  }
  if (state.pendingCheckpoint) return pendingCheckpoint(state.pendingCheckpoint);
  return {
    status: 'escalate',
    target,
    requiredApprovals: Math.max(MIN_ESCALATED_APPROVALS, required),
    approvals: [],
  };
}

export function pendingCheckpoint(id: CheckpointId): Ruling {
  return rejected(
    reject(
      'checkpoint-pending',
      `checkpoint ${id} is already waiting on this`,
      `approve or reject checkpoint ${id} first`,
    ),
  );
}

/** Membership and role of the actor for `type`, or the ruling that ends it (approved: performs). */
export function authority(state: PolicyState, type: IntentType, approved: boolean): Authority | Ruling {
  if (approved) return 'perform';
  if (state.role === null) return notFound('workspace');
  return authorize(state.role, type);
}
