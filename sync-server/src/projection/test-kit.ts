/**
 * A read model over a real `:memory:` SQLite database and a real sync hub, for the projection's
 * tests: thread rows are inserted directly, documents are edited through the hub.
 */
import * as Y from 'yjs';
import { eq } from 'drizzle-orm';
import {
  newId,
  tables,
  threadDoc,
  type Role,
  type ThreadId,
  type ThreadStatus,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { DEFAULT_LIMITS } from '../config.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { openDb, type Db } from '../storage/db.js';
import { SqliteDocStore } from '../storage/sqlite-doc-store.js';
import { SyncHub } from '../sync/hub.js';
import { ReadModel } from './read-model.js';

export interface KitOptions {
  debounceMs?: number;
  maxWaitMs?: number;
  compactEveryUpdates?: number;
  idleUnloadMs?: number;
}

/** Resolves once the read model's start-up work (on an empty database) is done. */
export async function projectionKit(options: KitOptions = {}) {
  const db = openDb({ path: ':memory:' });
  const logger = createLogger('silent');
  const metrics = createMetrics();
  const store = new SqliteDocStore(db);
  const hub = new SyncHub({
    store,
    limits: { ...DEFAULT_LIMITS },
    logger,
    metrics,
    idleUnloadMs: options.idleUnloadMs ?? 60_000,
    compactEveryUpdates: options.compactEveryUpdates ?? 500,
  });
  const readModel = new ReadModel({
    db,
    hub,
    store,
    logger,
    metrics,
    debounceMs: options.debounceMs ?? 10,
    maxWaitMs: options.maxWaitMs ?? 40,
  });
  await readModel.ready;
  let clock = Date.UTC(2031, 0, 1);

  return {
    db,
    hub,
    store,
    metrics,
    readModel,
    projector: readModel.projector,

    addMember(workspaceId: WorkspaceId, userId: UserId, role: Role = 'editor'): void {
      db.insert(tables.memberships)
        .values({ workspaceId, userId, role, createdAt: clock })
        .onConflictDoNothing()
        .run();
    },

    /** Inserts a thread row (no document yet). */
    addThread(workspaceId: WorkspaceId, title = 'A thread', intent: string | null = null): ThreadId {
      const id = newId<ThreadId>(++clock);
      db.insert(tables.threads)
        .values({
          id,
          workspaceId,
          title,
          intent,
          status: 'active',
          createdBy: 'u-creator' as UserId,
          createdAt: clock,
          updatedAt: clock,
        })
        .run();
      return id;
    },

    setStatus(threadId: ThreadId, status: ThreadStatus): void {
      db.update(tables.threads)
        .set({ status, updatedAt: ++clock })
        .where(eq(tables.threads.id, threadId))
        .run();
    },

    /** Changes a thread document through the hub; resolves once committed. */
    edit(threadId: ThreadId, change: (doc: Y.Doc) => void): Promise<void> {
      return hub.transact(threadDoc(threadId), { kind: 'thread', id: threadId }, change);
    },

    /** Pushes a message (a Y.Map like the clients write). */
    post(threadId: ThreadId, text: string, author = 'u-author'): Promise<string> {
      const id = newId();
      return this.edit(threadId, (doc) => {
        const m = new Y.Map<unknown>();
        m.set('id', id);
        m.set('author', author);
        m.set('text', text);
        m.set('at', ++clock);
        doc.getArray('messages').push([m]);
      }).then(() => id);
    },

    async close(): Promise<void> {
      await readModel.flush();
      await hub.shutdown();
      await readModel.stop();
      await store.close();
    },
  };
}

export type ProjectionKit = Awaited<ReturnType<typeof projectionKit>>;

/** Every row of the read model, by natural key, without the rowid keys (which are local to a database). */
export function readModelRows(db: Db) {
  const all = (query: string) => db.$client.prepare(query).all();
  return {
    threads: all(
      `SELECT thread_id, title, intent, body, message_count, attachment_count, attachment_bytes,
              activity_at, seq, hex(stamp) AS stamp FROM projected_threads ORDER BY thread_id`,
    ),
    messages: all(
      `SELECT thread_id, item_id, position, message_id, author, text, at, edited_at
       FROM projected_messages ORDER BY thread_id, item_id`,
    ),
    attachments: all(
      `SELECT thread_id, upload_id, name, size, type, sha256 FROM projected_attachments
       ORDER BY thread_id, upload_id`,
    ),
  };
}

/** Rows each full-text index finds for `words`, as natural keys (thread id / thread id + item id). */
export function searchHits(db: Db, match: string) {
  return {
    threads: db.$client
      .prepare(
        `SELECT p.thread_id FROM thread_fts JOIN projected_threads p ON p.key = thread_fts.rowid
         WHERE thread_fts MATCH ? ORDER BY p.thread_id`,
      )
      .all(match),
    messages: db.$client
      .prepare(
        `SELECT m.thread_id, m.item_id FROM message_fts JOIN projected_messages m ON m.key = message_fts.rowid
         WHERE message_fts MATCH ? ORDER BY m.thread_id, m.item_id`,
      )
      .all(match),
  };
}

/** A workspace id and a user id, fresh. */
export function ids(): { workspaceId: WorkspaceId; userId: UserId } {
  return { workspaceId: newId<WorkspaceId>(), userId: newId<UserId>() };
}
