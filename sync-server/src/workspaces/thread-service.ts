import { and, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import {
  ID_PATTERN,
  newId,
  roleAtLeast,
  tables,
  type ThreadId,
  type ThreadStatus,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { Listeners } from '../listeners.js';

const { memberships, threads } = tables;

export interface Thread {
  id: ThreadId;
  workspaceId: WorkspaceId;
  title: string;
  intent: string | null;
  status: ThreadStatus;
  createdBy: UserId;
  createdAt: number;
  updatedAt: number;
}

export interface CreateThreadInput {
  workspaceId: WorkspaceId;
  title: string;
  intent?: string;
  /** Made by the client so an offline client can link to the thread at once (DESIGN §4). */
  threadId?: ThreadId;
}

export interface ListThreadsInput {
  workspaceId: WorkspaceId;
  status?: ThreadStatus;
  /**
   * Case-insensitive substring of the title or intent. A stand-in until the projection's FTS5
   * index exists, which will also search bodies and messages.
   */
  q?: string;
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

/** Most threads one list call returns, newest activity first. */
const MAX_LIST = 500;

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
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
      };
      tx.insert(threads).values(row).run();
      return row;
    });
    this.#created.emit({ thread, actorId: userId });
    return thread;
  }

  /** Threads of a workspace, most recently updated first; `not-found` for non-members. */
  list(userId: UserId, input: ListThreadsInput): Thread[] {
    if (this.#roleOf(userId, input.workspaceId) === null)
      throw new ApiError('not-found', 'workspace not found');
    const filters: SQL[] = [eq(threads.workspaceId, input.workspaceId)];
    if (input.status) filters.push(eq(threads.status, input.status));
    if (input.q) {
      const pattern = `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const match = or(likeEscaped(threads.title, pattern), likeEscaped(threads.intent, pattern));
      if (match) filters.push(match);
    }
    return this.#db
      .select()
      .from(threads)
      .where(and(...filters))
      .orderBy(desc(threads.updatedAt), desc(threads.id))
      .limit(MAX_LIST)
      .all();
  }

  /** A thread the caller can see; `not-found` otherwise (unknown and invisible look the same). */
  get(userId: UserId, threadId: ThreadId): Thread {
    const row = this.#db
      .select({ thread: threads })
      .from(threads)
      .innerJoin(
        memberships,
        and(eq(memberships.workspaceId, threads.workspaceId), eq(memberships.userId, userId)),
      )
      .where(eq(threads.id, threadId))
      .get();
    if (!row) throw new ApiError('not-found', 'thread not found');
    return row.thread;
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

/** `LIKE … ESCAPE '\'`, so `%` and `_` typed by a user match themselves. SQLite's LIKE ignores ASCII case. */
function likeEscaped(column: typeof threads.title | typeof threads.intent, pattern: string): SQL {
  return sql`${column} LIKE ${pattern} ESCAPE '\\'`;
}
