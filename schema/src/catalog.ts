/**
 * The thread catalog of a `workspace:<id>` document (DESIGN §2): what a client needs to list a
 * workspace's threads offline. Server-written from the read model; governance writes the same
 * document's `members` and `decisions` maps.
 */
import type { ThreadStatus } from './db/tables.js';
import type { ThreadId, UserId } from './ids.js';

/** The `threads` Y.Map of a workspace document: thread id → {@link CatalogThread} (plain object). */
export const CATALOG_THREADS_ROOT = 'threads';

/** Longest `lastMessage.text` in the catalog; the full text is in the thread document. */
export const CATALOG_MESSAGE_PREVIEW_CHARS = 280;

export interface CatalogLastMessage {
  /** The message's `id` field (null when the message has none). */
  id: string | null;
  author: UserId | null;
  /** At most {@link CATALOG_MESSAGE_PREVIEW_CHARS} characters. */
  text: string;
  at: number | null;
}

export interface CatalogThread {
  id: ThreadId;
  title: string;
  status: ThreadStatus;
  /** Last activity: the newest message (or edit) time, or the thread row's last change. */
  updatedAt: number;
  /** The last entry of the thread's `messages`, or null when it has none. */
  lastMessage: CatalogLastMessage | null;
}
