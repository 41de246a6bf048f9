/**
 * The one writer of `workspace:<id>` documents (DESIGN §2): what a member's device needs to list
 * things offline. Three roots, three sources: the members and their roles (memberships), the open
 * decisions of shared threads (governance's query, handed in), both published by governance when
 * its rows change (`governed`); and the thread catalog, published by the read model as threads are projected and
 * change status (`updateThreads`, `replaceThreads`, from `catalog.ts`). Every write makes a root
 * match its rows and touches only what differs, so publishing twice changes nothing.
 */
import { eq } from 'drizzle-orm';
import {
  CATALOG_THREADS_ROOT,
  tables,
  WORKSPACE_ROOTS,
  workspaceDoc,
  type CatalogThread,
  type ThreadId,
  type WorkspaceDecisionEntry,
  type WorkspaceId,
  type WorkspaceMemberEntry,
} from '@caucus/schema';
import type * as Y from 'yjs';
import type { Db } from '../storage/db.js';
import type { DocWriter } from '../sync/doc-writer.js';
import { reconcileMap, sameJson } from '../sync/reconcile.js';

const { memberships, users } = tables;

export class WorkspaceDocPublisher {
  constructor(private readonly options: { db: Db; writer: DocWriter }) {}

  /**
   * Makes the members root match the memberships, and the open-decisions root what `decisions`
   * returns (governance's query, which runs inside the write, so it reads the newest rows).
   */
  governed(id: WorkspaceId, decisions: () => readonly WorkspaceDecisionEntry[]): Promise<void> {
    const { db } = this.options;
    return this.#write(id, (doc) => {
      const members = db
        .select({ userId: memberships.userId, name: users.name, role: memberships.role })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.workspaceId, id))
        .all();
      reconcileMap(
        doc.getMap(WORKSPACE_ROOTS.members),
        new Map(members.map((m): [string, WorkspaceMemberEntry] => [m.userId, m])),
      );
      reconcileMap(
        doc.getMap(WORKSPACE_ROOTS.decisions),
        new Map(decisions().map((d): [string, WorkspaceDecisionEntry] => [d.id, d])),
      );
    });
  }

  /** Sets or (for null) deletes catalog entries, writing only those that differ. */
  updateThreads(
    id: WorkspaceId,
    changes: ReadonlyArray<readonly [ThreadId, CatalogThread | null]>,
  ): Promise<void> {
    return this.#write(id, (doc) => {
      const catalog = doc.getMap(CATALOG_THREADS_ROOT);
      for (const [threadId, entry] of changes) {
        if (entry === null) catalog.delete(threadId);
        else if (!sameJson(catalog.get(threadId), entry)) catalog.set(threadId, entry);
      }
    });
  }

  /**
   * Makes the catalog hold exactly the entries `read` returns; `read` runs inside the write, so
   * the rows it reads are the newest when the document is written.
   */
  replaceThreads(id: WorkspaceId, read: () => ReadonlyMap<ThreadId, CatalogThread>): Promise<void> {
    return this.#write(id, (doc) => reconcileMap(doc.getMap(CATALOG_THREADS_ROOT), read()));
  }

  #write(id: WorkspaceId, change: (doc: Y.Doc) => void): Promise<void> {
    return this.options.writer.transact(workspaceDoc(id), { kind: 'workspace', id }, change);
  }
}
