import { and, eq, sql } from 'drizzle-orm';
import { roleAtLeast, tables, type Access, type DocRef, type UserId } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { decisions, memberships, threadMembers, threads } = tables;

/**
 * What `userId` may do with a document. Called at every sync upgrade and on role and thread
 * membership changes, so it is synchronous and costs one indexed query through statements
 * prepared once per database. A private thread — and a decision proposed in it — is `none` for
 * everyone but its members, owners of the workspace included.
 */
export function docAccess(db: Db, userId: UserId, ref: DocRef): Access {
  switch (ref.kind) {
    case 'thread': {
      const row = statementsFor(db).thread.get({ threadId: ref.id, userId });
      if (!row?.role || (row.visibility === 'private' && !row.inThread)) return 'none';
      // Archived threads are frozen: even owners only read until the thread is restored.
      if (row.status === 'archived') return 'read';
      return roleAtLeast(row.role, 'editor') ? 'write' : 'read';
    }
    case 'decision': {
      // Server-only: every member of the decision's workspace reads it, nobody writes it.
      const row = statementsFor(db).decision.get({ decisionId: ref.id, userId });
      return row?.role && (row.visibility === 'workspace' || row.inThread) ? 'read' : 'none';
    }
    case 'inbox':
      // Inboxes are server-written; their owner reads them, nobody else sees them.
      return ref.id === userId ? 'read' : 'none';
    case 'workspace': {
      // The catalog is server-only: every member reads it, nobody writes it.
      const row = statementsFor(db).member.get({ workspaceId: ref.id, userId });
      return row ? 'read' : 'none';
    }
  }
}

/** Whether `userId` is a member of the thread in `threads.id` (a private thread's own list). */
const inThread = sql<
  number | null
>`(SELECT 1 FROM ${threadMembers} WHERE ${threadMembers.threadId} = ${threads.id} AND ${threadMembers.userId} = ${sql.placeholder('userId')})`;

function prepare(db: Db) {
  return {
    thread: db
      .select({ status: threads.status, role: memberships.role, visibility: threads.visibility, inThread })
      .from(threads)
      .leftJoin(
        memberships,
        and(
          eq(memberships.workspaceId, threads.workspaceId),
          eq(memberships.userId, sql.placeholder('userId')),
        ),
      )
      .where(eq(threads.id, sql.placeholder('threadId')))
      .prepare(),
    decision: db
      .select({ role: memberships.role, visibility: threads.visibility, inThread })
      .from(decisions)
      .innerJoin(threads, eq(threads.id, decisions.threadId))
      .leftJoin(
        memberships,
        and(
          eq(memberships.workspaceId, decisions.workspaceId),
          eq(memberships.userId, sql.placeholder('userId')),
        ),
      )
      .where(eq(decisions.id, sql.placeholder('decisionId')))
      .prepare(),
    member: db
      .select({ role: memberships.role })
      .from(memberships)
      .where(
        and(
          eq(memberships.workspaceId, sql.placeholder('workspaceId')),
          eq(memberships.userId, sql.placeholder('userId')),
        ),
      )
      .prepare(),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

function statementsFor(db: Db): ReturnType<typeof prepare> {
  let statements = prepared.get(db);
  if (!statements) {
    statements = prepare(db);
    prepared.set(db, statements);
  }
  return statements;
}
