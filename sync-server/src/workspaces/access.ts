import { and, eq, sql } from 'drizzle-orm';
import {
  documentAccess,
  tables,
  type Access,
  type AccessFacts,
  type DocRef,
  type UserId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { perDatabase } from '../storage/per-database.js';

const { decisions, memberships, threadMembers, threads } = tables;

/**
 * What `userId` may do with a document: the facts the rule needs, read with one indexed query
 * through statements prepared once per database, ruled on by the pure `documentAccess` in
 * `@caucus/schema` (policy/access.ts). Called at every sync upgrade and on role and thread
 * membership changes, so it is synchronous.
 */
export function docAccess(db: Db, userId: UserId, ref: DocRef): Access {
  return documentAccess(accessFacts(db, userId, ref));
}

function accessFacts(db: Db, userId: UserId, ref: DocRef): AccessFacts {
  switch (ref.kind) {
    case 'thread': {
      const row = statementsFor(db).thread.get({ threadId: ref.id, userId });
      return { kind: 'thread', thread: row ? { ...row, inThread: row.inThread !== null } : null };
    }
    case 'decision': {
      const row = statementsFor(db).decision.get({ decisionId: ref.id, userId });
      return { kind: 'decision', thread: row ? { ...row, inThread: row.inThread !== null } : null };
    }
    case 'inbox':
      return { kind: 'inbox', own: ref.id === userId };
    case 'workspace': {
      const row = statementsFor(db).member.get({ workspaceId: ref.id, userId });
      return { kind: 'workspace', role: row?.role ?? null };
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

const statementsFor = perDatabase(prepare);
