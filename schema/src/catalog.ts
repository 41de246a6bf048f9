/**
 * The thread catalog of a `workspace:<id>` document (DESIGN §2): what a client needs to list a
 * workspace's threads offline. Server-written from the read model; governance writes the same
 * document's `members` and `decisions` maps.
 */
import type { ThreadStatus } from './db/tables.js';
import type { ThreadId, UserId, WorkspaceId } from './ids.js';

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

/**
 * One private thread a user is in, in the `threads` map of their own `inbox:<userId>` document
 * (`INBOX_ROOTS.threads`): the shared `workspace:` catalog never holds a private thread, since
 * every member of the workspace reads that document whole. Server-written from the read model and
 * the thread's members; the entry leaves when its user leaves the thread.
 */
export interface PrivateCatalogThread extends CatalogThread {
  workspaceId: WorkspaceId;
  /** The thread's members, sorted. */
  members: UserId[];
  /** A direct conversation (opened with `conversation.open`; its members are who it is with). */
  conversation: boolean;
}
