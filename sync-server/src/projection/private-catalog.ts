/**
 * The catalog of private threads, one per user: the `threads` map of each member's own
 * `inbox:<userId>` document (only that user reads it) holds the private threads they are in, with
 * the same fields as the shared `workspace:` catalog plus the workspace, the members and whether
 * it is a direct conversation. A Yjs document is replicated whole to every reader, so a shared
 * document cannot hide an entry from some of them: a private title is only ever written into the
 * documents of the thread's members. When someone leaves, the entry is deleted from their document
 * (what their devices already hold stays there; nothing new reaches them).
 */
import { and, eq, sql } from 'drizzle-orm';
import {
  INBOX_ROOTS,
  inboxDoc,
  tables,
  type DocName,
  type DocRef,
  type PrivateCatalogThread,
  type ThreadId,
  type UserId,
} from '@caucus/schema';
import type * as Y from 'yjs';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { entryOf, type EntryRow } from './catalog-entry.js';

const { memberships, threadMembers, threads } = tables;

/** Inbox documents written at once while rebuilding. */
const REBUILD_CONCURRENCY = 16;

export interface PrivateCatalogOptions {
  db: Db;
  writer: { transact(name: DocName, ref: DocRef, change: (doc: Y.Doc) => void): Promise<void> };
  logger: Logger;
  /** The catalog row of a thread (the shared statement of `CatalogPublisher`). */
  row: (id: ThreadId) => EntryRow | undefined;
}

type Change = [ThreadId, PrivateCatalogThread | null];

export class PrivateCatalog {
  readonly #db: Db;
  readonly #writer: PrivateCatalogOptions['writer'];
  readonly #logger: Logger;
  readonly #row: PrivateCatalogOptions['row'];
  /** Per private thread: who has its entry, and as what (JSON). */
  readonly #published = new Map<ThreadId, { users: Set<UserId>; json: string }>();

  constructor(options: PrivateCatalogOptions) {
    this.#db = options.db;
    this.#writer = options.writer;
    this.#logger = options.logger;
    this.#row = options.row;
  }

  /** The entry of a private thread as the rows make it now; null for any other thread. */
  entry(threadId: ThreadId): PrivateCatalogThread | null {
    const row = this.#row(threadId);
    if (!row || row.visibility !== 'private') return null;
    return {
      ...entryOf(row),
      workspaceId: row.workspaceId,
      members: this.#members(threadId),
      conversation: Boolean(row.conversation),
    };
  }

  /** Brings the members' documents of `ids` (private or not) up to date. */
  async publish(ids: readonly ThreadId[]): Promise<void> {
    const perUser = new Map<UserId, Change[]>();
    const add = (userId: UserId, change: Change) => {
      const list = perUser.get(userId);
      if (list) list.push(change);
      else perUser.set(userId, [change]);
    };
    const next = new Map<ThreadId, { users: Set<UserId>; json: string } | null>();
    for (const id of ids) {
      const entry = this.entry(id);
      const before = this.#published.get(id);
      if (!entry && !before) continue;
      const users = new Set(entry?.members ?? []);
      const json = JSON.stringify(entry);
      for (const userId of users)
        if (before?.json !== json || !before.users.has(userId)) add(userId, [id, entry]);
      for (const userId of before?.users ?? []) if (!users.has(userId)) add(userId, [id, null]);
      next.set(id, entry ? { users, json } : null);
    }
    const failed = new Set<ThreadId>();
    await Promise.all(
      [...perUser].map(([userId, list]) =>
        this.#write(userId, (map) => {
          for (const [id, entry] of list) {
            if (entry === null) map.delete(id);
            else if (JSON.stringify(map.get(id)) !== JSON.stringify(entry)) map.set(id, entry);
          }
        }).catch((err: unknown) => {
          for (const [id] of list) failed.add(id);
          this.#logger.error({ err, user: userId }, 'publishing a private catalog failed');
        }),
      ),
    );
    for (const [id, state] of next) {
      // A failed write is retried in full by the next touch: forget what was published.
      if (state === null || failed.has(id)) this.#published.delete(id);
      else this.#published.set(id, state);
    }
  }

  /**
   * Makes the private catalog of everyone who is, or was, in a private thread match the rows
   * (at start). Who was: the targets of `thread.removeMember` and `member.remove` intents.
   */
  async rebuildAll(): Promise<void> {
    const users = this.#db.$client
      .prepare(
        `SELECT user_id AS id FROM thread_members
         UNION SELECT json_extract(args, '$.userId') AS id FROM intents
           WHERE type IN ('thread.removeMember', 'member.remove') ORDER BY id`,
      )
      .all()
      .map((row) => (row as { id: UserId }).id)
      .filter((id) => typeof id === 'string');
    for (let i = 0; i < users.length; i += REBUILD_CONCURRENCY) {
      await Promise.all(users.slice(i, i + REBUILD_CONCURRENCY).map((id) => this.#rebuildUser(id)));
    }
  }

  async #rebuildUser(userId: UserId): Promise<void> {
    const ids = this.#db
      .select({ id: threadMembers.threadId })
      .from(threadMembers)
      .innerJoin(threads, eq(threads.id, threadMembers.threadId))
      .innerJoin(
        memberships,
        and(eq(memberships.workspaceId, threads.workspaceId), eq(memberships.userId, userId)),
      )
      .where(eq(threadMembers.userId, userId))
      .all()
      .map((row) => row.id);
    const entries = new Map<ThreadId, PrivateCatalogThread>();
    for (const id of ids) {
      const entry = this.entry(id);
      if (entry) entries.set(id, entry);
    }
    try {
      await this.#write(userId, (map) => {
        for (const key of [...map.keys()]) if (!entries.has(key as ThreadId)) map.delete(key);
        for (const [id, entry] of entries) {
          if (JSON.stringify(map.get(id)) !== JSON.stringify(entry)) map.set(id, entry);
        }
      });
      for (const [id, entry] of entries) {
        const published = this.#published.get(id);
        const json = JSON.stringify(entry);
        if (published?.json === json) published.users.add(userId);
        else this.#published.set(id, { users: new Set([userId]), json });
      }
    } catch (err) {
      this.#logger.error({ err, user: userId }, 'rebuilding a private catalog failed');
    }
  }

  /** The members of a private thread who are still in its workspace, sorted. */
  #members(threadId: ThreadId): UserId[] {
    return this.#db
      .select({ userId: threadMembers.userId })
      .from(threadMembers)
      .innerJoin(threads, eq(threads.id, threadMembers.threadId))
      .innerJoin(
        memberships,
        and(eq(memberships.workspaceId, threads.workspaceId), eq(memberships.userId, threadMembers.userId)),
      )
      .where(eq(threadMembers.threadId, threadId))
      .orderBy(sql`${threadMembers.userId}`)
      .all()
      .map((row) => row.userId);
  }

  #write(userId: UserId, change: (map: Y.Map<unknown>) => void): Promise<void> {
    return this.#writer.transact(inboxDoc(userId), { kind: 'inbox', id: userId }, (doc) =>
      change(doc.getMap(INBOX_ROOTS.threads)),
    );
  }
}
