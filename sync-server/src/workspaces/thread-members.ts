/**
 * Who sees a thread. A workspace thread: every member of its workspace. A private thread: its
 * members (`thread_members`) who are still members of the workspace — owners of the workspace
 * included only when they are among them. Every read path (documents, lists, search, dashboard,
 * decisions, checkpoints, notifications, files, audit) goes through these.
 */
import { and, eq, inArray, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { tables, type ThreadId, type UserId, type WorkspaceId } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { memberships, threadMembers, threads } = tables;

/**
 * A condition on a query over `threads` (joined to the caller's membership of its workspace):
 * the thread is a workspace thread, or `userId` is one of its members.
 */
export function threadVisibleTo(userId: UserId | Placeholder): SQL {
  return or(
    eq(threads.visibility, 'workspace'),
    sql`EXISTS (SELECT 1 FROM ${threadMembers} WHERE ${threadMembers.threadId} = ${threads.id} AND ${threadMembers.userId} = ${userId})`,
  ) as SQL;
}

/**
 * A condition on a row that names a thread in `column` (a decision's `thread_id`, say): `userId`
 * may see that thread. Membership of the workspace is the caller's to check.
 */
export function threadIdVisibleTo(column: SQLiteColumn | SQL, userId: UserId): SQL {
  return sql`EXISTS (SELECT 1 FROM ${threads} t WHERE t.id = ${column} AND (t.visibility = 'workspace' OR EXISTS (SELECT 1 FROM ${threadMembers} m WHERE m.thread_id = t.id AND m.user_id = ${userId})))`;
}

/** A private thread's members, sorted; empty for a workspace thread (it has none). */
export function threadMembersOf(db: Db, threadId: ThreadId): UserId[] {
  return db
    .select({ userId: threadMembers.userId })
    .from(threadMembers)
    .where(eq(threadMembers.threadId, threadId))
    .orderBy(threadMembers.userId)
    .all()
    .map((row) => row.userId);
}

/** The users who may see the thread now (nobody for an unknown thread). */
export function threadAudience(db: Db, threadId: ThreadId): UserId[] {
  const thread = db
    .select({ workspaceId: threads.workspaceId, visibility: threads.visibility })
    .from(threads)
    .where(eq(threads.id, threadId))
    .get();
  if (!thread) return [];
  const members = db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(eq(memberships.workspaceId, thread.workspaceId))
    .all()
    .map((row) => row.userId);
  if (thread.visibility === 'workspace') return members;
  const inThread = new Set(threadMembersOf(db, threadId));
  return members.filter((id) => inThread.has(id));
}

/** Those of `userIds` who may see the thread now. */
export function whoSeesThread(db: Db, threadId: ThreadId, userIds: Iterable<UserId>): UserId[] {
  const audience = new Set(threadAudience(db, threadId));
  return [...new Set(userIds)].filter((id) => audience.has(id));
}

/** Those of `userIds` who are members of the workspace. */
export function workspaceMembersAmong(
  db: Db,
  workspaceId: WorkspaceId,
  userIds: readonly UserId[],
): UserId[] {
  if (userIds.length === 0) return [];
  return db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), inArray(memberships.userId, [...userIds])))
    .all()
    .map((row) => row.userId);
}
