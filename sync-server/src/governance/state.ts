/**
 * Loads what the policy needs to rule on one intent (`PolicyState`), and the workspace the intent
 * concerns (for the audit log). Runs inside the intent's transaction.
 */
import { and, count, eq } from 'drizzle-orm';
import {
  roleAtLeast,
  roleInThread,
  tables,
  type CheckpointTarget,
  type Intent,
  type MemberView,
  type PolicyState,
  type Role,
  type ThreadId,
  type ThreadView,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { loadCheckpoint, pendingCheckpointId } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { idInUse } from './id-in-use.js';
import { threadMembersOf } from '../workspaces/thread-members.js';
import { loadConversationState, loadThreadMemberState, strangersOf } from './private-state.js';

const { memberships, threads, users } = tables;

export interface LoadedState {
  state: PolicyState;
  workspaceId: WorkspaceId | null;
}

export function roleOf(db: Db, userId: UserId, workspaceId: WorkspaceId): Role | null {
  return (
    db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .get()?.role ?? null
  );
}

export function threadView(db: Db, id: ThreadId): ThreadView | null {
  const row = db
    .select({
      id: threads.id,
      workspaceId: threads.workspaceId,
      status: threads.status,
      visibility: threads.visibility,
      createdBy: threads.createdBy,
      conversationKey: threads.conversationKey,
    })
    .from(threads)
    .where(eq(threads.id, id))
    .get();
  if (!row) return null;
  const { conversationKey, ...view } = row;
  return { ...view, conversation: conversationKey !== null };
}

/**
 * The actor's role in a thread (and in what is in it): their workspace role, or null in a private
 * thread they are not a member of — so the policy answers `not-found`, as for an unknown id.
 */
export function threadRoleOf(db: Db, actor: UserId, thread: ThreadView): Role | null {
  const role = roleOf(db, actor, thread.workspaceId);
  if (role === null || thread.visibility !== 'private') return role;
  return roleInThread(role, 'private', threadMembersOf(db, thread.id), actor);
}

function ownerCount(db: Db, workspaceId: WorkspaceId): number {
  return (
    db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')))
      .get()?.n ?? 0
  );
}

export function membership(db: Db, workspaceId: WorkspaceId, userId: UserId): MemberView | null {
  const role = roleOf(db, userId, workspaceId);
  return role === null ? null : { userId, role };
}

export function loadPolicyState(db: Db, actor: UserId, intent: Intent): LoadedState {
  switch (intent.type) {
    case 'thread.create': {
      const { workspaceId, threadId, memberIds = [] } = intent.args;
      return {
        workspaceId,
        state: {
          role: roleOf(db, actor, workspaceId),
          idTaken: idInUse(db, threadId),
          strangers: strangersOf(db, workspaceId, memberIds),
        },
      };
    }
    case 'thread.addMember':
    case 'thread.removeMember':
      return loadThreadMemberState(db, actor, intent);
    case 'conversation.open':
      return loadConversationState(db, actor, intent);
    case 'thread.archive':
    case 'thread.restore': {
      const thread = threadView(db, intent.args.threadId);
      if (!thread) return { workspaceId: null, state: { role: null, thread: null } };
      return {
        workspaceId: thread.workspaceId,
        state: {
          role: threadRoleOf(db, actor, thread),
          thread,
          pendingCheckpoint: pendingCheckpointId(db, thread.id),
        },
      };
    }
    case 'decision.propose': {
      const thread = threadView(db, intent.args.threadId);
      const idTaken = idInUse(db, intent.args.decisionId);
      if (!thread) return { workspaceId: null, state: { role: null, thread: null, idTaken } };
      return {
        workspaceId: thread.workspaceId,
        state: { role: threadRoleOf(db, actor, thread), thread, idTaken },
      };
    }
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen': {
      const decision = loadDecision(db, intent.args.decisionId);
      if (!decision) return { workspaceId: null, state: { role: null, decision: null } };
      const thread = threadView(db, decision.threadId);
      return {
        workspaceId: decision.workspaceId,
        state: {
          role: thread ? threadRoleOf(db, actor, thread) : null,
          decision,
          pendingCheckpoint: pendingCheckpointId(db, decision.id),
        },
      };
    }
    case 'checkpoint.approve':
    case 'checkpoint.reject': {
      const checkpoint = loadCheckpoint(db, intent.args.checkpointId);
      if (!checkpoint) return { workspaceId: null, state: { role: null, checkpoint: null } };
      const thread = threadOfTarget(db, checkpoint.target);
      return {
        workspaceId: checkpoint.workspaceId,
        state: { role: thread ? threadRoleOf(db, actor, thread) : null, checkpoint },
      };
    }
    case 'member.invite': {
      const { workspaceId, email } = intent.args;
      const user = db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
      return {
        workspaceId,
        state: {
          role: roleOf(db, actor, workspaceId),
          member: user ? membership(db, workspaceId, user.id) : null,
          ownerCount: ownerCount(db, workspaceId),
        },
      };
    }
    case 'member.setRole':
    case 'member.remove': {
      const { workspaceId, userId } = intent.args;
      return {
        workspaceId,
        state: {
          role: roleOf(db, actor, workspaceId),
          member: membership(db, workspaceId, userId),
          ownerCount: ownerCount(db, workspaceId),
        },
      };
    }
    case 'inbox.markRead':
    case 'inbox.markAllRead':
    case 'prefs.set':
      return { workspaceId: null, state: { role: null } };
  }
}

/** The thread a checkpoint waits on: its target, or the thread of its target decision. */
export function threadOfTarget(db: Db, target: CheckpointTarget): ThreadView | null {
  if (target.kind === 'thread') return threadView(db, target.id);
  const decision = loadDecision(db, target.id);
  return decision ? threadView(db, decision.threadId) : null;
}

/** Members of a workspace with at least `minRole`. */
export function membersOf(db: Db, workspaceId: WorkspaceId, minRole: Role = 'viewer'): UserId[] {
  return db
    .select({ userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.workspaceId, workspaceId))
    .all()
    .filter((m) => roleAtLeast(m.role, minRole))
    .map((m) => m.userId);
}
