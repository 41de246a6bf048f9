/**
 * The shapes of thread reads (DESIGN §4, the HTTP API's `/threads`): a listing query and its
 * keyset cursor, a page of thread summaries (with a search match), and one thread in full.
 */
import type { CatalogLastMessage, ThreadStatus, UploadId, UserId, WorkspaceId } from '@caucus/schema';
import type { Thread } from '../workspaces/thread-service.js';

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

/** A thread's row (workspaces/thread-service.ts) with what the read model knows of it. */
export interface ThreadSummary extends Thread {
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
