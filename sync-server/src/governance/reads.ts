/**
 * Reads of governed state the policy loader and the effects share: a user's role in a workspace
 * or thread, a thread as the policy sees it, memberships and owners.
 */
import { and, count, eq } from 'drizzle-orm';
import {
  roleAtLeast,
  roleInThread,
  tables,
  type CheckpointTarget,
  type MemberView,
  type Role,
  type ThreadId,
  type ThreadView,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { threadMembersOf } from '../workspaces/thread-members.js';
import { loadDecision } from './decision-store.js';

const { memberships, threads } = tables;

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

export function ownerCount(db: Db, workspaceId: WorkspaceId): number {
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
