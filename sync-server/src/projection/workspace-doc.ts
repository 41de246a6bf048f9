/**
 * The one writer of `workspace:<id>` documents (DESIGN §2): what a member's device needs to list
 * things offline. Three roots, three sources: the members and their roles (memberships), the open
 * decisions of shared threads (decisions), both published by governance when its rows change
 * (`governed`); and the thread catalog, published by the read model as threads are projected and
 * change status (`updateThreads`, `replaceThreads`, from `catalog.ts`). Every write makes a root
 * match its rows and touches only what differs, so publishing twice changes nothing.
 */
import { and, eq, type SQL } from 'drizzle-orm';
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
import { openDecisions } from '../governance/open-decisions.js';
import type { Db } from '../storage/db.js';
import type { DocWriter } from '../sync/doc-writer.js';
import { reconcileMap } from '../sync/reconcile.js';

const { decisions, memberships, threads, users } = tables;

export class WorkspaceDocPublisher {
  constructor(private readonly options: { db: Db; writer: DocWriter }) {}

  /** Makes the members and open-decisions roots match the rows. */
  governed(id: WorkspaceId): Promise<void> {
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
      // Decisions of private threads are in their members' inboxes instead (publisher.ts).
      const open = openDecisions(
        db,
        and(eq(decisions.workspaceId, id), eq(threads.visibility, 'workspace')) as SQL,
      );
      reconcileMap(
        doc.getMap(WORKSPACE_ROOTS.decisions),
        new Map(open.map(({ workspaceId: _ws, ...d }): [string, WorkspaceDecisionEntry] => [d.id, d])),
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
        else if (JSON.stringify(catalog.get(threadId)) !== JSON.stringify(entry))
          catalog.set(threadId, entry);
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
