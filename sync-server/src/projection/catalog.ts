/**
 * The thread catalog of each `workspace:<id>` document (DESIGN §2): its `threads` Y.Map holds,
 * per thread, the title, status, last activity and last message — what the PWA lists offline.
 * Made from the read model and the authoritative `threads` rows, so it follows both projected
 * edits and status changes; each write only touches the entries that differ. Private threads are
 * never in it: their entries go to their members' own documents (`private-catalog.ts`).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { tables, type CatalogThread, type ThreadId, type WorkspaceId } from '@caucus/schema';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import type { DocWriter } from '../sync/doc-writer.js';
import { entryOf, type EntryRow } from './catalog-entry.js';
import { PrivateCatalog } from './private-catalog.js';
import { WorkspaceDocPublisher } from './workspace-doc.js';

const { threads, projectedThreads, workspaces } = tables;

/** Workspace documents written at once while rebuilding every catalog. */
const REBUILD_CONCURRENCY = 16;

/** The last message of the thread in `threads.id`, as a subquery for a join. */
export const lastMessageKey = sql`(SELECT x.key FROM projected_messages x WHERE x.thread_id = ${threads.id} ORDER BY x.position DESC LIMIT 1)`;

function prepare(db: Db) {
  const m = alias(tables.projectedMessages, 'm');
  const base = () =>
    db
      .select({
        id: threads.id,
        workspaceId: threads.workspaceId,
        visibility: threads.visibility,
        conversation: sql<number>`${threads.conversationKey} IS NOT NULL`,
        title: sql<string>`coalesce(${projectedThreads.title}, ${threads.title})`,
        status: threads.status,
        updatedAt: threads.updatedAt,
        activityAt: projectedThreads.activityAt,
        lastId: m.messageId,
        lastAuthor: m.author,
        lastText: m.text,
        lastAt: m.at,
        hasLast: sql<number>`${m.key} IS NOT NULL`,
      })
      .from(threads)
      .leftJoin(projectedThreads, eq(projectedThreads.threadId, threads.id))
      .leftJoin(m, eq(m.key, lastMessageKey));
  return {
    one: base()
      .where(eq(threads.id, sql.placeholder('id')))
      .prepare(),
    ofWorkspace: base()
      .where(
        and(eq(threads.workspaceId, sql.placeholder('workspaceId')), eq(threads.visibility, 'workspace')),
      )
      .orderBy(asc(threads.id))
      .prepare(),
  };
}

export class CatalogPublisher {
  readonly #db: Db;
  readonly #workspaceDoc: WorkspaceDocPublisher;
  readonly #logger: Logger;
  readonly #statements: ReturnType<typeof prepare>;
  readonly #private: PrivateCatalog;
  /** What each catalog entry was last published as (JSON), to skip writes that change nothing. */
  readonly #published = new Map<ThreadId, { workspaceId: WorkspaceId; json: string }>();
  readonly #dirty = new Set<ThreadId>();
  #scheduled = false;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: { db: Db; writer: DocWriter; logger: Logger }) {
    this.#db = options.db;
    this.#workspaceDoc = new WorkspaceDocPublisher(options);
    this.#logger = options.logger;
    this.#statements = prepare(options.db);
    this.#private = new PrivateCatalog({
      ...options,
      row: (id) => this.#statements.one.get({ id }),
    });
  }

  /** The entry of workspace thread `threadId` as the rows make it now (null for unknown or private). */
  entry(threadId: ThreadId): { workspaceId: WorkspaceId; entry: CatalogThread } | null {
    const row = this.#statements.one.get({ id: threadId }) as EntryRow | undefined;
    return row && row.visibility === 'workspace'
      ? { workspaceId: row.workspaceId, entry: entryOf(row) }
      : null;
  }

  /** Republishes `threadId`'s entry soon (several touches in one turn are one write per workspace). */
  touch(threadId: ThreadId): void {
    if (this.#closed) return;
    this.#dirty.add(threadId);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#chain = this.#chain.then(() => this.#publishDirty());
    });
  }

  /** Resolves once every touch so far is published. */
  async idle(): Promise<void> {
    while (this.#scheduled || this.#dirty.size > 0) {
      if (!this.#scheduled) this.#chain = this.#chain.then(() => this.#publishDirty());
      await new Promise((resolve) => setImmediate(resolve));
      await this.#chain;
    }
    await this.#chain;
  }

  /** Stops publishing (the hub is shutting down); resolves once the writes under way are done. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#dirty.clear();
    await this.#chain;
  }

  /** Makes every catalog — workspaces' and private ones — match the rows (at start: the documents are a view). */
  async rebuildAll(): Promise<void> {
    await this.#rebuildWorkspaces();
    await this.#private.rebuildAll();
  }

  async #rebuildWorkspaces(): Promise<void> {
    const ids = this.#db
      .select({ id: workspaces.id })
      .from(workspaces)
      .union(this.#db.selectDistinct({ id: threads.workspaceId }).from(threads))
      .orderBy(asc(workspaces.id))
      .all()
      .map((row) => row.id);
    for (let i = 0; i < ids.length; i += REBUILD_CONCURRENCY) {
      await Promise.all(ids.slice(i, i + REBUILD_CONCURRENCY).map((id) => this.#rebuildWorkspace(id)));
    }
  }

  async #rebuildWorkspace(workspaceId: WorkspaceId): Promise<void> {
    let published: Array<[ThreadId, string]> = [];
    await this.#workspaceDoc
      .replaceThreads(workspaceId, () => {
        const rows = this.#statements.ofWorkspace.all({ workspaceId }) as EntryRow[];
        const entries = new Map(rows.map((row) => [row.id, entryOf(row)]));
        published = [...entries].map(([id, entry]) => [id, JSON.stringify(entry)]);
        return entries;
      })
      .then(
        () => {
          for (const [id, json] of published) this.#published.set(id, { workspaceId, json });
        },
        (err: unknown) => this.#logger.error({ err, workspace: workspaceId }, 'rebuilding a catalog failed'),
      );
  }

  async #publishDirty(): Promise<void> {
    if (this.#closed) return;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    const privateJob = this.#private.publish(ids);
    const changes = new Map<WorkspaceId, Array<[ThreadId, CatalogThread | null]>>();
    const add = (workspaceId: WorkspaceId, change: [ThreadId, CatalogThread | null]) => {
      const list = changes.get(workspaceId);
      if (list) list.push(change);
      else changes.set(workspaceId, [change]);
    };
    for (const id of ids) {
      const now = this.entry(id);
      const before = this.#published.get(id);
      if (!now) {
        if (before) add(before.workspaceId, [id, null]);
        continue;
      }
      if (before?.workspaceId === now.workspaceId && before.json === JSON.stringify(now.entry)) continue;
      add(now.workspaceId, [id, now.entry]);
    }
    await Promise.all(
      [...changes].map(([workspaceId, list]) =>
        this.#workspaceDoc.updateThreads(workspaceId, list).then(
          () => {
            for (const [id, entry] of list) {
              if (entry === null) this.#published.delete(id);
              else this.#published.set(id, { workspaceId, json: JSON.stringify(entry) });
            }
          },
          (err: unknown) =>
            this.#logger.error({ err, workspace: workspaceId }, 'publishing a catalog failed'),
        ),
      ),
    );
    await privateJob;
  }
}
