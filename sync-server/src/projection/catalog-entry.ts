/** One row of the thread catalogs (shared and private), and the entry made from it. */
import {
  CATALOG_MESSAGE_PREVIEW_CHARS,
  type CatalogThread,
  type ThreadId,
  type ThreadStatus,
  type ThreadVisibility,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';

export interface EntryRow {
  id: ThreadId;
  workspaceId: WorkspaceId;
  visibility: ThreadVisibility;
  conversation: number;
  title: string;
  status: ThreadStatus;
  updatedAt: number;
  activityAt: number | null;
  lastId: string | null;
  lastAuthor: UserId | null;
  lastText: string | null;
  lastAt: number | null;
  hasLast: number;
}

export function entryOf(row: EntryRow): CatalogThread {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    updatedAt: Math.max(row.updatedAt, row.activityAt ?? 0),
    lastMessage: row.hasLast
      ? {
          id: row.lastId,
          author: row.lastAuthor,
          text: (row.lastText ?? '').slice(0, CATALOG_MESSAGE_PREVIEW_CHARS),
          at: row.lastAt,
        }
      : null,
  };
}
