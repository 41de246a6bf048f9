/**
 * Thread reads for the HTTP API, over the read model and the authoritative `threads` rows, and
 * only ever over threads the caller may read (members of the thread's workspace, any role; for a
 * private thread, its own members only).
 *
 * Without a search the list is ordered by last activity; with one, by relevance (bm25 over titles,
 * intents, bodies and messages, titles weighing most), with a highlighted snippet of where the
 * best match is. A thread matches when its title, intent and body together, or one of its messages,
 * hold every word.
 */
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import {
  CATALOG_MESSAGE_PREVIEW_CHARS,
  tables,
  type CatalogLastMessage,
  type ThreadId,
  type ThreadStatus,
  type ThreadVisibility,
  type UploadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { threadVisibleTo } from '../workspaces/thread-members.js';
import { FTS_WEIGHTS, ftsQuery } from './search-index.js';

const { memberships, projectedAttachments, projectedMessages, projectedThreads, threads } = tables;

/** Threads per page unless `limit` says otherwise, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Where a keyset page starts: after this thread in activity order, or in relevance order. */
export type ThreadCursor =
  { kind: 'activity'; at: number; id: string } | { kind: 'rank'; score: number; id: string };

export interface ListThreadsQuery {
  /** Every workspace the caller belongs to when omitted. */
  workspaceId?: WorkspaceId;
  status?: ThreadStatus;
  /** Full-text search. */
  q?: string;
  after?: ThreadCursor;
  limit?: number;
}

export interface SearchMatch {
  /** Where the best match is. */
  field: 'title' | 'intent' | 'body' | 'message';
  /** For a match in a message: the message's `id`. */
  messageId: string | null;
  /** Text around the match, HTML-escaped, matched words in `<mark>…</mark>`. */
  snippet: string;
}

export interface ThreadSummary {
  id: ThreadId;
  workspaceId: WorkspaceId;
  title: string;
  intent: string | null;
  status: ThreadStatus;
  visibility: ThreadVisibility;
  /** A direct conversation (`conversation.open`). */
  conversation: boolean;
  createdBy: UserId;
  createdAt: number;
  updatedAt: number;
  /** Last activity: the newest message or edit, or the row's last change (e.g. archiving). */
  activityAt: number;
  messageCount: number;
  attachmentCount: number;
  lastMessage: CatalogLastMessage | null;
  /** With a search only. */
  match?: SearchMatch;
}

export interface ThreadPage {
  threads: ThreadSummary[];
  next: ThreadCursor | null;
}

export interface ThreadMessageView {
  id: string | null;
  author: UserId | null;
  text: string;
  at: number | null;
  editedAt: number | null;
}

export interface ThreadAttachmentView {
  id: UploadId;
  name: string;
  size: number;
  type: string;
  sha256: string;
}

export interface ThreadDetail extends Omit<ThreadSummary, 'lastMessage' | 'match'> {
  body: string;
  messages: ThreadMessageView[];
  attachments: ThreadAttachmentView[];
  /** The update-log seq the content was projected from; null before the first projection. */
  projectedSeq: number | null;
}

/** Marks FTS5 puts around matches; private-use characters, replaced after HTML-escaping. */
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
/** Tokens of context a snippet shows. */
const SNIPPET_TOKENS = 16;

const activity = sql<number>`max(${threads.updatedAt}, coalesce(${projectedThreads.activityAt}, 0))`;

const summaryColumns = {
  id: threads.id,
  workspaceId: threads.workspaceId,
  title: sql<string>`coalesce(${projectedThreads.title}, ${threads.title})`,
  intent: sql<
    string | null
  >`CASE WHEN ${projectedThreads.key} IS NULL THEN ${threads.intent} ELSE ${projectedThreads.intent} END`,
  status: threads.status,
  visibility: threads.visibility,
  conversation: sql<boolean>`${threads.conversationKey} IS NOT NULL`.mapWith(Boolean),
  createdBy: threads.createdBy,
  createdAt: threads.createdAt,
  updatedAt: threads.updatedAt,
  activityAt: activity,
  messageCount: sql<number>`coalesce(${projectedThreads.messageCount}, 0)`,
  attachmentCount: sql<number>`coalesce(${projectedThreads.attachmentCount}, 0)`,
};

type SummaryRow = Omit<ThreadSummary, 'lastMessage' | 'match'>;

function prepare(db: Db) {
  return {
    lastMessage: db
      .select({
        id: projectedMessages.messageId,
        author: projectedMessages.author,
        text: projectedMessages.text,
        at: projectedMessages.at,
      })
      .from(projectedMessages)
      .where(eq(projectedMessages.threadId, sql.placeholder('threadId')))
      .orderBy(desc(projectedMessages.position))
      .limit(1)
      .prepare(),
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
    // The CAST matters: a JS number is bound as a REAL, and FTS5 then ignores the rowid constraint.
    threadSnippets: db.$client.prepare<
      { q: string; key: number; open: string; close: string; tokens: number },
      { title: string; intent: string | null; body: string }
    >(
      `SELECT snippet(thread_fts, 0, @open, @close, '…', @tokens) AS title,
              snippet(thread_fts, 1, @open, @close, '…', @tokens) AS intent,
              snippet(thread_fts, 2, @open, @close, '…', @tokens) AS body
       FROM thread_fts WHERE thread_fts MATCH @q AND rowid = CAST(@key AS INTEGER)`,
    ),
    messageSnippet: db.$client.prepare<
      { q: string; key: number; open: string; close: string; tokens: number },
      { text: string; messageId: string | null }
    >(
      `SELECT snippet(message_fts, 0, @open, @close, '…', @tokens) AS text, m.message_id AS messageId
       FROM message_fts JOIN projected_messages m ON m.key = message_fts.rowid
       WHERE message_fts MATCH @q AND message_fts.rowid = CAST(@key AS INTEGER)`,
    ),
  };
}

const statementsByDb = new WeakMap<Db, ReturnType<typeof prepare>>();

function statementsFor(db: Db): ReturnType<typeof prepare> {
  let statements = statementsByDb.get(db);
  if (!statements) {
    statements = prepare(db);
    statementsByDb.set(db, statements);
  }
  return statements;
}

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
    threads: page.map((row) => withLastMessage(s, row)),
    next: rows.length > limit && last ? { kind: 'activity', at: last.activityAt, id: last.id } : null,
  };
}

function searchThreads(
  db: Db,
  userId: UserId,
  text: string,
  query: ListThreadsQuery,
  limit: number,
): ThreadPage {
  const match = ftsQuery(text);
  if (match === null) return { threads: [], next: null };
  const s = statementsFor(db);
  const after = query.after?.kind === 'rank' ? query.after : null;
  const w = FTS_WEIGHTS;
  // `min(score)` with bare columns: SQLite takes `source` and `key` from the row with the best
  // score, i.e. where the snippet should come from.
  const rows = db.all<SummaryRow & { score: number; source: number; key: number }>(sql`
    WITH hits AS (
      SELECT p.thread_id AS thread_id, bm25(thread_fts, ${w.title}, ${w.intent}, ${w.body}) AS score,
             0 AS source, thread_fts.rowid AS key
      FROM thread_fts JOIN projected_threads p ON p.key = thread_fts.rowid
      WHERE thread_fts MATCH ${match}
      UNION ALL
      SELECT m.thread_id, bm25(message_fts) * ${w.message}, 1, message_fts.rowid
      FROM message_fts JOIN projected_messages m ON m.key = message_fts.rowid
      WHERE message_fts MATCH ${match}
    ),
    best AS (SELECT thread_id, min(score) AS score, source, key FROM hits GROUP BY thread_id)
    SELECT ${threads.id} AS id, ${threads.workspaceId} AS workspaceId, ${summaryColumns.title} AS title,
           ${summaryColumns.intent} AS intent, ${threads.status} AS status,
           ${threads.visibility} AS visibility, ${threads.conversationKey} IS NOT NULL AS conversation,
           ${threads.createdBy} AS createdBy,
           ${threads.createdAt} AS createdAt, ${threads.updatedAt} AS updatedAt, ${activity} AS activityAt,
           ${summaryColumns.messageCount} AS messageCount, ${summaryColumns.attachmentCount} AS attachmentCount,
           best.score AS score, best.source AS source, best.key AS key
    FROM best
    JOIN ${threads} ON ${threads.id} = best.thread_id
    JOIN ${memberships} ON ${memberships.workspaceId} = ${threads.workspaceId} AND ${memberships.userId} = ${userId}
    LEFT JOIN ${projectedThreads} ON ${projectedThreads.threadId} = ${threads.id}
    WHERE ${threadVisibleTo(userId)}
      AND (${query.workspaceId ?? null} IS NULL OR ${threads.workspaceId} = ${query.workspaceId ?? null})
      AND (${query.status ?? null} IS NULL OR ${threads.status} = ${query.status ?? null})
      AND (${after?.score ?? null} IS NULL OR best.score > ${after?.score ?? null}
           OR (best.score = ${after?.score ?? null} AND ${threads.id} > ${after?.id ?? null}))
    ORDER BY best.score, ${threads.id}
    LIMIT ${limit + 1}`);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    threads: page.map(({ score: _score, source, key, ...row }) => ({
      // Raw SQL gives the boolean as 0/1.
      ...withLastMessage(s, { ...row, conversation: Boolean(row.conversation) }),
      match: snippetOf(s, match, source, key),
    })),
    next: rows.length > limit && last ? { kind: 'rank', score: last.score, id: last.id } : null,
  };
}

function withLastMessage(s: ReturnType<typeof prepare>, row: SummaryRow): ThreadSummary {
  const last = s.lastMessage.get({ threadId: row.id });
  return {
    ...row,
    lastMessage: last ? { ...last, text: last.text.slice(0, CATALOG_MESSAGE_PREVIEW_CHARS) } : null,
  };
}

function snippetOf(s: ReturnType<typeof prepare>, q: string, source: number, key: number): SearchMatch {
  const params = { q, key, open: MARK_OPEN, close: MARK_CLOSE, tokens: SNIPPET_TOKENS };
  if (source === 1) {
    const row = s.messageSnippet.get(params);
    return { field: 'message', messageId: row?.messageId ?? null, snippet: markup(row?.text ?? '') };
  }
  const row = s.threadSnippets.get(params);
  const fields = [
    ['title', row?.title],
    ['intent', row?.intent],
    ['body', row?.body],
  ] as const;
  const [field, text] = fields.find(([, value]) => value?.includes(MARK_OPEN)) ?? ['title', row?.title];
  return { field, messageId: null, snippet: markup(text ?? '') };
}

/** HTML-escapes a snippet and turns the match marks into `<mark>` elements. */
function markup(snippet: string): string {
  return snippet
    .replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
    .replaceAll(MARK_OPEN, '<mark>')
    .replaceAll(MARK_CLOSE, '</mark>');
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
