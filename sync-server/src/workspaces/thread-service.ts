import { and, eq, sql } from 'drizzle-orm';
import {
  ID_PATTERN,
  newId,
  roleAtLeast,
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

export interface CreateThreadInput {
  workspaceId: WorkspaceId;
  title: string;
  intent?: string;
  /** Made by the client so an offline client can link to the thread at once (DESIGN §4). */
  threadId?: ThreadId;
}

export interface ThreadCreated {
  thread: Thread;
  actorId: UserId;
}

export interface ThreadServiceOptions {
  db: Db;
  now?: () => number;
  /** Where failing event listeners are reported. */
  logger?: Logger;
}

/** Authoritative thread rows (existence, workspace, status); content lives in `thread:<id>`. */
export class ThreadService {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #created: Listeners<ThreadCreated>;

  constructor({ db, now = Date.now, logger = createLogger('error') }: ThreadServiceOptions) {
    this.#db = db;
    this.#now = now;
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

  /** Editor or stronger; `not-found` for non-members, `forbidden` for viewers, `conflict` for a taken id. */
  create(userId: UserId, input: CreateThreadInput): Thread {
    if (input.threadId !== undefined && !ID_PATTERN.test(input.threadId)) {
      throw new ApiError('invalid-body', 'threadId: letters, digits, "-" and "_" only, 1 to 64 of them');
    }
    const thread = this.#db.transaction((tx) => {
      const role = this.#roleOf(userId, input.workspaceId);
      if (role === null) throw new ApiError('not-found', 'workspace not found');
      if (!roleAtLeast(role, 'editor')) throw new ApiError('forbidden', 'viewers cannot create threads');
      const now = this.#now();
      const id = input.threadId ?? newId<ThreadId>(now);
      if (tx.select({ id: threads.id }).from(threads).where(eq(threads.id, id)).get()) {
        throw new ApiError('conflict', 'a thread with that id already exists');
      }
      const row: Thread = {
        id,
        workspaceId: input.workspaceId,
        title: input.title,
        intent: input.intent ?? null,
        status: 'active',
        visibility: 'workspace',
        conversation: false,
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
      };
      tx.insert(threads).values(threadRow(row)).run();
      return row;
    });
    this.#created.emit({ thread, actorId: userId });
    return thread;
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

  #roleOf(userId: UserId, workspaceId: WorkspaceId) {
    const row = this.#db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .get();
    return row?.role ?? null;
  }
}
