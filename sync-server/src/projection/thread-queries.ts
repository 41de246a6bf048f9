/**
 * Thread reads for the HTTP API, over the read model and the authoritative `threads` rows, and
 * only ever over threads the caller may read (members of the thread's workspace, any role; for a
 * private thread, its own members only): the listing by last activity with its keyset pages, and
 * one thread in full. A listing with a search is `thread-search.ts`; the shapes both return are
 * `thread-views.ts`, re-exported here for the routes.
 */
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { tables, type ThreadId, type UserId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { perDatabase } from '../storage/per-database.js';
import { threadVisibleTo } from '../workspaces/thread-members.js';
import { searchThreads } from './thread-search.js';
import { activity, summaryColumns, withLastMessage, type SummaryRow } from './thread-summaries.js';
import type { ListThreadsQuery, ThreadDetail, ThreadPage } from './thread-views.js';

export type {
  ListThreadsQuery,
  SearchMatch,
  ThreadAttachmentView,
  ThreadCursor,
  ThreadDetail,
  ThreadMessageView,
  ThreadPage,
  ThreadSummary,
} from './thread-views.js';

const { memberships, projectedAttachments, projectedMessages, projectedThreads, threads } = tables;

/** Threads per page unless `limit` says otherwise, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

function prepare(db: Db) {
  return {
    visible: db
      .select({ ...summaryColumns, body: projectedThreads.body, projectedSeq: projectedThreads.seq })
      .from(threads)
      .innerJoin(
        memberships,
        and(
          eq(memberships.workspaceId, threads.workspaceId),
          eq(memberships.userId, sql.placeholder('userId')),
        ),
      )
      .leftJoin(projectedThreads, eq(projectedThreads.threadId, threads.id))
      .where(and(eq(threads.id, sql.placeholder('threadId')), threadVisibleTo(sql.placeholder('userId'))))
      .prepare(),
    messages: db
      .select({
        id: projectedMessages.messageId,
        author: projectedMessages.author,
        text: projectedMessages.text,
        at: projectedMessages.at,
        editedAt: projectedMessages.editedAt,
      })
      .from(projectedMessages)
      .where(eq(projectedMessages.threadId, sql.placeholder('threadId')))
      .orderBy(projectedMessages.position)
      .prepare(),
    attachments: db
      .select({
        id: projectedAttachments.uploadId,
        name: projectedAttachments.name,
        size: projectedAttachments.size,
        type: projectedAttachments.type,
        sha256: projectedAttachments.sha256,
      })
      .from(projectedAttachments)
      .where(eq(projectedAttachments.threadId, sql.placeholder('threadId')))
      .orderBy(projectedAttachments.uploadId)
      .prepare(),
    isMember: db
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

function pageSize(limit: number | undefined): number {
  return Math.max(1, Math.min(limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE));
}

/** A page of the threads `userId` may read; `not-found` for a workspace they are not a member of. */
export function listThreads(db: Db, userId: UserId, query: ListThreadsQuery): ThreadPage {
  const s = statementsFor(db);
  if (query.workspaceId && !s.isMember.get({ workspaceId: query.workspaceId, userId })) {
    throw new ApiError('not-found', 'workspace not found');
  }
  if (query.after && (query.after.kind === 'rank') !== (query.q !== undefined)) {
    throw new ApiError('invalid-body', 'cursor: it belongs to another listing (with or without q)');
  }
  const limit = pageSize(query.limit);
  if (query.q !== undefined) return searchThreads(db, userId, query.q, query, limit);

  const filters: SQL[] = [threadVisibleTo(userId)];
  if (query.workspaceId) filters.push(eq(threads.workspaceId, query.workspaceId));
  if (query.status) filters.push(eq(threads.status, query.status));
  const after = query.after;
  if (after?.kind === 'activity') {
    const later = or(
      lt(activity, after.at),
      and(eq(activity, after.at), lt(threads.id, after.id as ThreadId)),
    );
    if (later) filters.push(later);
  }
  const rows: SummaryRow[] = db
    .select(summaryColumns)
    .from(threads)
    .innerJoin(
      memberships,
      and(eq(memberships.workspaceId, threads.workspaceId), eq(memberships.userId, userId)),
    )
    .leftJoin(projectedThreads, eq(projectedThreads.threadId, threads.id))
    .where(and(...filters))
    .orderBy(desc(activity), desc(threads.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    threads: page.map((row) => withLastMessage(db, row)),
    next: rows.length > limit && last ? { kind: 'activity', at: last.activityAt, id: last.id } : null,
  };
}

/** A thread with its projected content; `not-found` when the caller cannot read it. */
export function getThread(db: Db, userId: UserId, threadId: ThreadId): ThreadDetail {
  const s = statementsFor(db);
  const row = s.visible.get({ threadId, userId });
  if (!row) throw new ApiError('not-found', 'thread not found');
  const { body, projectedSeq, ...summary } = row;
  return {
    ...summary,
    body: body ?? '',
    messages: s.messages.all({ threadId }),
    attachments: s.attachments.all({ threadId }),
    projectedSeq,
  };
}
