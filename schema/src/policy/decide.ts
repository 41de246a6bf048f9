/**
 * `decide(actor, state, intent)`: the governance policy as one pure function. The server runs it
 * inside the intent's SQLite transaction with state read from its rows; a client runs it on state
 * read from its documents to preview what its queued intents will do.
 */
import type { ThreadStatus } from '../db/tables.js';
import type { CheckpointId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import type { Intent, IntentType } from '../intents/intent.js';
import type { ThreadVisibility } from '../intents/thread-intents.js';
import { roleAtLeast, type Role } from '../roles.js';
import { applyCheckpointEvent, type CheckpointState, type CheckpointTarget } from './checkpoint-machine.js';
import { checkDecisionEvent, type DecisionEvent, type DecisionState } from './decision-machine.js';
import { checkStrangers, decideConversation, decideThreadMember } from './private-threads.js';
import { ID_TAKEN, isRejection, reject, type Rejection } from './rejections.js';
import { ARCHIVE_REQUIRED_APPROVALS, INTENT_RULES, MIN_ESCALATED_APPROVALS } from './rules.js';

export interface Actor {
  userId: UserId;
}

export interface ThreadView {
  id: ThreadId;
  workspaceId: WorkspaceId;
  status: ThreadStatus;
  /** `workspace` when left out. */
  visibility?: ThreadVisibility;
  createdBy?: UserId;
  /** A direct conversation (its members are who it is with). */
  conversation?: boolean;
}

export interface MemberView {
  userId: UserId;
  role: Role;
}

/**
 * What the policy needs to know, loaded for one intent. Fields an intent type does not use may be
 * left out; `null` means "looked for, does not exist (or is not visible)".
 */
export interface PolicyState {
  /**
   * The actor's role in the workspace the intent concerns; null when not a member. For a private
   * thread and what is in it (its decisions, checkpoints, members) the role in the thread
   * (`roleInThread`): null unless the actor is one of its members.
   */
  role: Role | null;
  thread?: ThreadView | null;
  decision?: DecisionState | null;
  checkpoint?: CheckpointState | null;
  /**
   * `member.setRole`/`member.remove`: the target's membership. `member.invite`: the membership in
   * this workspace of the user with that email, if there is one (owners see members' emails, so
   * refusing it tells them nothing new; whether an account exists elsewhere is never loaded).
   */
  member?: MemberView | null;
  /** Owners of the workspace (member intents). */
  ownerCount?: number;
  /**
   * `thread.create`, `decision.propose`: the id to create is already in use — by anything the
   * client may name by id, in any workspace, visible to the actor or not.
   */
  idTaken?: boolean;
  /** A pending checkpoint already waiting on the intent's target. */
  pendingCheckpoint?: CheckpointId | null;
  /** `thread.addMember`, `thread.removeMember`: the private thread's members. */
  threadMembers?: readonly UserId[];
  /** Private `thread.create`, `conversation.open`: named users who are not members of the workspace. */
  strangers?: readonly UserId[];
  /** `conversation.open`: the thread of that set of people's conversation, when there is one. */
  conversation?: ThreadId | null;
}

export type Ruling =
  /** Apply it now. */
  | { status: 'accepted' }
  | ({ status: 'rejected' } & Rejection)
  /**
   * The actor may request but not (yet) perform it: open a checkpoint on `target` that runs the
   * intent once `requiredApprovals` distinct approvers approved; `approvals` are those it starts with.
   */
  | { status: 'escalate'; target: CheckpointTarget; requiredApprovals: number; approvals: UserId[] };

export interface DecideOptions {
  /**
   * The intent runs because its checkpoint was approved: role rules, membership and approval
   * counts are satisfied; only existence and the state machines are checked.
   */
  approved?: boolean;
}

const ACCEPTED: Ruling = { status: 'accepted' };

function rejected(rejection: Rejection): Ruling {
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

function notFound(what: string): Ruling {
  return rejected(
    reject('not-found', `${what} not found`, 'check the id, or ask an owner to add you to its workspace'),
  );
}

type Authority = 'perform' | 'request';

/** Whether `role` may perform or request `type`, or the rejection when neither. */
function authorize(role: Role, type: IntentType): Authority | Ruling {
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
function checkBasis(
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
function gate(
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

function pendingCheckpoint(id: CheckpointId): Ruling {
  return rejected(
    reject(
      'checkpoint-pending',
      `checkpoint ${id} is already waiting on this`,
      `approve or reject checkpoint ${id} first`,
    ),
  );
}

/** Rules on `intent` by `actor` given `state`. Total and pure: same inputs, same ruling. */
export function decide(
  actor: Actor,
  state: PolicyState,
  intent: Intent,
  options: DecideOptions = {},
): Ruling {
  const approved = options.approved === true;
  /** Membership and role, or the ruling that ends it. */
  const authority = (): Authority | Ruling => {
    if (approved) return 'perform';
    if (state.role === null) return notFound('workspace');
    return authorize(state.role, intent.type);
  };

  switch (intent.type) {
    case 'thread.create': {
      const who = authority();
      if (typeof who !== 'string') return who;
      if (state.idTaken) return rejected(ID_TAKEN);
      return checkStrangers(state) ?? ACCEPTED;
    }

    case 'thread.addMember':
    case 'thread.removeMember':
      return decideThreadMember(actor.userId, state, intent);

    case 'conversation.open':
      return decideConversation(state);

    case 'thread.archive':
    case 'thread.restore': {
      const thread = state.thread;
      if (!thread || (!approved && state.role === null)) return notFound('thread');
      const who = authority();
      if (typeof who !== 'string') return who;
      if (!approved) {
        const stale = checkBasis(intent, { status: thread.status }, `thread ${thread.id}`);
        if (stale) return stale;
      }
      const wanted = intent.type === 'thread.archive' ? 'active' : 'archived';
      if (thread.status !== wanted) {
        return rejected(
          reject(
            'invalid-transition',
            `the thread is already ${thread.status}`,
            'nothing to do: reload the thread to see its status',
          ),
        );
      }
      if (approved) return ACCEPTED;
      return gate(actor, state, who, { kind: 'thread', id: thread.id }, ARCHIVE_REQUIRED_APPROVALS);
    }

    case 'decision.propose': {
      const thread = state.thread;
      if (!thread || (!approved && state.role === null)) return notFound('thread');
      const who = authority();
      if (typeof who !== 'string') return who;
      if (state.idTaken) return rejected(ID_TAKEN);
      if (thread.status !== 'active') {
        return rejected(
          reject(
            'invalid-transition',
            'decisions cannot be proposed in an archived thread',
            'restore the thread first',
          ),
        );
      }
      return ACCEPTED;
    }

    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen': {
      const decision = state.decision;
      if (!decision || (!approved && state.role === null)) return notFound('decision');
      const who = authority();
      if (typeof who !== 'string') return who;
      if (!approved) {
        const stale = checkBasis(
          intent,
          { version: decision.version, status: decision.status },
          `decision ${decision.id}`,
        );
        if (stale) return stale;
      }
      const refused = checkDecisionEvent(decision, decisionEvent(intent), actor.userId);
      if (refused) return rejected(refused);
      if (approved || intent.type === 'decision.approve') return ACCEPTED;
      const target: CheckpointTarget = { kind: 'decision', id: decision.id };
      if (intent.type === 'decision.resolve') {
        return gate(
          actor,
          state,
          who,
          target,
          decision.requiredApprovals,
          decision.approvals.map((a) => a.userId),
        );
      }
      return gate(actor, state, who, target, 0);
    }

    case 'checkpoint.approve':
    case 'checkpoint.reject': {
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

    case 'member.invite':
    case 'member.setRole':
    case 'member.remove': {
      if (state.role === null) return notFound('workspace');
      const leaving = intent.type === 'member.remove' && intent.args.userId === actor.userId;
      if (!leaving) {
        const who = authorize(state.role, intent.type);
        if (typeof who !== 'string') return who;
      }
      const member = state.member ?? null;
      if (intent.type === 'member.invite') {
        // An invitation changes nobody's membership until the invitee accepts it.
        if (!member) return ACCEPTED;
        return rejected(
          reject(
            'already-member',
            `that address belongs to ${/^[aeiou]/.test(member.role) ? 'an' : 'a'} ${member.role} of this workspace`,
            'change their role with member.setRole instead',
          ),
        );
      }
      if (!member) return notFound('member');
      const stale = checkBasis(intent, { status: member.role }, `the membership of ${member.userId}`);
      if (stale) return stale;
      const newRole = intent.type === 'member.remove' ? null : intent.args.role;
      if (member.role === 'owner' && newRole !== 'owner' && (state.ownerCount ?? 0) <= 1) {
        return rejected(
          reject('last-owner', 'a workspace needs at least one owner', 'make someone else an owner first'),
        );
      }
      return ACCEPTED;
    }

    case 'inbox.markRead':
    case 'inbox.markAllRead':
    case 'prefs.set':
      return ACCEPTED;
  }
}

/** The state-machine event of a decision intent. */
export function decisionEvent(
  intent: Extract<Intent, { type: `decision.${'approve' | 'resolve' | 'defer' | 'reopen'}` }>,
  checkpointId?: CheckpointId,
): DecisionEvent {
  switch (intent.type) {
    case 'decision.approve':
      return { action: 'approve' };
    case 'decision.resolve':
      return { action: 'resolve', outcome: intent.args.outcome, checkpointId };
    case 'decision.defer':
      return { action: 'defer', until: intent.args.until, reason: intent.args.reason, checkpointId };
    case 'decision.reopen':
      return { action: 'reopen', checkpointId };
  }
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
