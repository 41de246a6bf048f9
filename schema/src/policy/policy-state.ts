/**
 * What the policy rules on and what it answers: the actor, the state loaded for one intent, and
 * the ruling. Types only; `decide.ts` is the policy.
 */
import type { ThreadStatus } from '../db/tables.js';
import type { CheckpointId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import type { ThreadVisibility } from '../intents/thread-intents.js';
import type { Role } from '../roles.js';
import type { CheckpointState, CheckpointTarget } from './checkpoint-machine.js';
import type { DecisionState } from './decision-machine.js';
import type { Rejection } from './rejections.js';

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
