/**
 * {@link GovernedView} over the server-only documents the client holds: `workspace:<id>` (members
 * with roles, the thread catalog), `inbox:<me>` (the user's own catalog of the private threads and
 * conversations they are in) and `decision:<id>` (the decision's fields and history). The server
 * publishes SQLite's truth into them, so this is the server's state as last synced.
 */
import type * as Y from 'yjs';
import {
  CATALOG_THREADS_ROOT,
  conversationKey,
  DECISION_ROOTS,
  INBOX_ROOTS,
  decisionDoc,
  WORKSPACE_ROOTS,
  workspaceDoc,
  type CatalogThread,
  type DecisionDocFields,
  type DecisionHistoryEntry,
  type DecisionState,
  type DocName,
  type PrivateCatalogThread,
  type ThreadId,
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

/** The private catalog entries of the inbox documents held (only the user's own can be opened). */
function privateEntries(docs: DocLookup): PrivateCatalogThread[] | undefined {
  let held = false;
  const entries: PrivateCatalogThread[] = [];
  for (const name of docs.names()) {
    if (!name.startsWith('inbox:')) continue;
    const map = docs.get(name)?.getMap<unknown>(INBOX_ROOTS.threads);
    if (!map) continue;
    held = true;
    for (const value of map.values()) {
      const entry = value as Partial<PrivateCatalogThread> | null;
      if (
        typeof entry?.id === 'string' &&
        typeof entry.workspaceId === 'string' &&
        Array.isArray(entry.members)
      )
        entries.push(entry as PrivateCatalogThread);
    }
  }
  return held ? entries : undefined;
}

function privateEntry(docs: DocLookup, threadId: ThreadId): PrivateCatalogThread | undefined {
  return privateEntries(docs)?.find((e) => e.id === threadId);
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
      const own = privateEntry(docs, threadId);
      if (!own) return undefined;
      const view: ThreadView = {
        id: threadId,
        workspaceId: own.workspaceId,
        status: own.status,
        visibility: 'private',
        conversation: own.conversation === true,
      };
      return view;
    },
    threadMembers: (threadId) => privateEntry(docs, threadId)?.members,
    conversation(workspaceId, members) {
      const entries = privateEntries(docs);
      if (!entries) return undefined;
      const key = conversationKey(members);
      const found = entries.find(
        (e) => e.conversation === true && e.workspaceId === workspaceId && conversationKey(e.members) === key,
      );
      return found ? found.id : null;
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
