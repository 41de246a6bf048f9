/**
 * {@link GovernedView} over the server-only documents the client holds: `workspace:<id>` (members
 * with roles, the thread catalog) and `decision:<id>` (the decision's fields and history). The
 * server publishes SQLite's truth into them, so this is the server's state as last synced.
 */
import type * as Y from 'yjs';
import {
  CATALOG_THREADS_ROOT,
  DECISION_ROOTS,
  decisionDoc,
  WORKSPACE_ROOTS,
  workspaceDoc,
  type CatalogThread,
  type DecisionDocFields,
  type DecisionHistoryEntry,
  type DecisionState,
  type DocName,
  type ThreadView,
  type WorkspaceId,
  type WorkspaceMemberEntry,
} from '@caucus/schema';
import type { GovernedView } from './governed-view.js';

/** The documents the client holds right now, by name. */
export interface DocLookup {
  get(name: DocName): Y.Doc | undefined;
  /** Names of the documents held (the thread catalogs are searched for a thread's workspace). */
  names(): Iterable<DocName>;
}

export function docGovernedView(docs: DocLookup): GovernedView {
  return {
    members(workspaceId) {
      const map = docs.get(workspaceDoc(workspaceId))?.getMap<WorkspaceMemberEntry>(WORKSPACE_ROOTS.members);
      // An empty member map is a document not yet synced: every workspace has an owner.
      if (!map || map.size === 0) return undefined;
      return [...map.values()].map(({ userId, role }) => ({ userId, role }));
    },
    thread(threadId) {
      for (const name of docs.names()) {
        if (!name.startsWith('workspace:')) continue;
        const entry = docs.get(name)?.getMap<CatalogThread>(CATALOG_THREADS_ROOT).get(threadId);
        if (entry) {
          const view: ThreadView = {
            id: threadId,
            workspaceId: name.slice('workspace:'.length) as WorkspaceId,
            status: entry.status,
          };
          return view;
        }
      }
      return undefined;
    },
    decision(decisionId) {
      const doc = docs.get(decisionDoc(decisionId));
      if (!doc) return undefined;
      const map = doc.getMap<unknown>(DECISION_ROOTS.decision);
      if (map.size === 0) return undefined;
      const fields = Object.fromEntries(map.entries()) as unknown as DecisionDocFields;
      const { pendingCheckpointId: _pending, ...state } = fields;
      const history = doc.getArray<DecisionHistoryEntry>(DECISION_ROOTS.history).toArray();
      const decision: DecisionState = { ...state, history };
      return decision;
    },
    pendingCheckpointOf(decisionId) {
      const map = docs.get(decisionDoc(decisionId))?.getMap<unknown>(DECISION_ROOTS.decision);
      if (!map || map.size === 0) return undefined;
      return (map.get('pendingCheckpointId') as DecisionDocFields['pendingCheckpointId'] | undefined) ?? null;
    },
    // Checkpoints are not published into any document; their previews stay `unknown`.
    checkpoint: () => undefined,
  };
}
