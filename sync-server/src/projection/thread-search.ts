/**
 * Searching threads: ranked by relevance (bm25 over titles, intents, bodies and messages, titles
 * weighing most), with a highlighted snippet of where the best match is. A thread matches when
 * its title, intent and body together, or one of its messages, hold every word. Only threads the
 * caller may read are searched.
 */
import { sql } from 'drizzle-orm';
import { tables, type UserId } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { perDatabase } from '../storage/per-database.js';
import { threadVisibleTo } from '../workspaces/thread-members.js';
import { FTS_WEIGHTS, ftsQuery } from './search-index.js';
import { activity, summaryColumns, withLastMessage, type SummaryRow } from './thread-summaries.js';
import type { ListThreadsQuery, SearchMatch, ThreadPage } from './thread-views.js';

const { memberships, projectedThreads, threads } = tables;

/** Marks FTS5 puts around matches; private-use characters, replaced after HTML-escaping. */
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
/** Tokens of context a snippet shows. */
const SNIPPET_TOKENS = 16;

type SnippetParams = { q: string; key: number; open: string; close: string; tokens: number };

function prepare(db: Db) {
  return {
    // The CAST matters: a JS number is bound as a REAL, and FTS5 then ignores the rowid constraint.
    threadSnippets: db.$client.prepare<SnippetParams, { title: string; intent: string | null; body: string }>(
      `SELECT snippet(thread_fts, 0, @open, @close, '…', @tokens) AS title,
              snippet(thread_fts, 1, @open, @close, '…', @tokens) AS intent,
              snippet(thread_fts, 2, @open, @close, '…', @tokens) AS body
       FROM thread_fts WHERE thread_fts MATCH @q AND rowid = CAST(@key AS INTEGER)`,
    ),
    messageSnippet: db.$client.prepare<SnippetParams, { text: string; messageId: string | null }>(
      `SELECT snippet(message_fts, 0, @open, @close, '…', @tokens) AS text, m.message_id AS messageId
       FROM message_fts JOIN projected_messages m ON m.key = message_fts.rowid
       WHERE message_fts MATCH @q AND message_fts.rowid = CAST(@key AS INTEGER)`,
    ),
  };
}

const statementsFor = perDatabase(prepare);

/**
 * A page of `limit` threads `userId` may read that match `text`, best first, after the query's
 * rank cursor. The caller has checked the workspace and the cursor.
 */
export function searchThreads(
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
      ...withLastMessage(db, { ...row, conversation: Boolean(row.conversation) }),
      match: snippetOf(s, match, source, key),
    })),
    next: rows.length > limit && last ? { kind: 'rank', score: last.score, id: last.id } : null,
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
