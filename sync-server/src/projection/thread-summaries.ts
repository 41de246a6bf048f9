/**
 * A thread summary as reads select it: the columns (the projected title and intent over the
 * authoritative row's, counts, last activity) and the preview of its last message.
 */
import { desc, eq, sql } from 'drizzle-orm';
import { CATALOG_MESSAGE_PREVIEW_CHARS, tables } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { perDatabase } from '../storage/per-database.js';
import type { ThreadSummary } from './thread-views.js';

const { projectedMessages, projectedThreads, threads } = tables;

/** Last activity: the newest message or edit, or the row's last change (e.g. archiving). */
export const activity = sql<number>`max(${threads.updatedAt}, coalesce(${projectedThreads.activityAt}, 0))`;

export const summaryColumns = {
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

export type SummaryRow = Omit<ThreadSummary, 'lastMessage' | 'match'>;

function prepareLastMessage(db: Db) {
  return db
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
    .prepare();
}

const lastMessageOf = perDatabase(prepareLastMessage);

/** The summary with the preview of the thread's last message. */
export function withLastMessage(db: Db, row: SummaryRow): ThreadSummary {
  const last = lastMessageOf(db).get({ threadId: row.id });
  return {
    ...row,
    lastMessage: last ? { ...last, text: last.text.slice(0, CATALOG_MESSAGE_PREVIEW_CHARS) } : null,
  };
}
