import { and, eq, sql } from 'drizzle-orm';
import {
  tables,
  type ThreadId,
  type ThreadStatus,
  type ThreadVisibility,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { Listeners } from '../listeners.js';
import { threadVisibleTo } from './thread-members.js';

const { memberships, threads } = tables;

export interface Thread {
  id: ThreadId;
  workspaceId: WorkspaceId;
  title: string;
  intent: string | null;
  status: ThreadStatus;
  /** `private`: seen by its members only. */
  visibility: ThreadVisibility;
  /** A direct conversation: its members are who it is with (`conversation.open`). */
  conversation: boolean;
  createdBy: UserId;
  createdAt: number;
  updatedAt: number;
}

/** The `threads` row of `thread`; `conversationKey` for a direct conversation. */
export function threadRow(
  thread: Thread,
  conversationKey: string | null = null,
): typeof threads.$inferInsert {
  const { conversation: _conversation, ...row } = thread;
  return { ...row, conversationKey };
}

/** The columns that make a {@link Thread}. */
export const threadColumns = {
  id: threads.id,
  workspaceId: threads.workspaceId,
  title: threads.title,
  intent: threads.intent,
  status: threads.status,
  visibility: threads.visibility,
  conversation: sql<boolean>`${threads.conversationKey} IS NOT NULL`.mapWith(Boolean),
  createdBy: threads.createdBy,
  createdAt: threads.createdAt,
  updatedAt: threads.updatedAt,
};

export interface ThreadCreated {
  thread: Thread;
  actorId: UserId;
}

export interface ThreadServiceOptions {
  db: Db;
  /** Where failing event listeners are reported. */
  logger?: Logger;
}

/**
 * Reads of the authoritative thread rows (existence, workspace, status; content lives in
 * `thread:<id>`) and the announcement of new ones. Threads are created by the `thread.create`
 * intent only (governance/thread-effects.ts): the one write path, with its policy and audit.
 */
export class ThreadService {
  readonly #db: Db;
  readonly #created: Listeners<ThreadCreated>;

  constructor({ db, logger = createLogger('error') }: ThreadServiceOptions) {
    this.#db = db;
    this.#created = new Listeners((err) => logger.error({ err }, 'thread listener failed'));
  }

  /** Listens for new threads, e.g. to seed the thread document with its title and intent. */
  onThreadCreated(listener: (e: ThreadCreated) => void): () => void {
    return this.#created.add(listener);
  }

  /**
   * Tells thread listeners about a thread created elsewhere (the intent engine's `thread.create`).
   * Call only after the transaction that wrote it has committed.
   */
  announceCreated(event: ThreadCreated): void {
    this.#created.emit(event);
  }

  /** A thread the caller can see; `not-found` otherwise (unknown and invisible look the same). */
  get(userId: UserId, threadId: ThreadId): Thread {
    const row = this.#db
      .select(threadColumns)
      .from(threads)
      .innerJoin(
        memberships,
        and(eq(memberships.workspaceId, threads.workspaceId), eq(memberships.userId, userId)),
      )
      .where(and(eq(threads.id, threadId), threadVisibleTo(userId)))
      .get();
    if (!row) throw new ApiError('not-found', 'thread not found');
    return row;
  }
}
