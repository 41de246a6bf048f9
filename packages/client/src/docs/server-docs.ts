/**
 * The server-written documents, typed (docs/PROTOCOL.md "Server-only documents"): decisions,
 * inboxes (with the user's own catalog of private threads) and workspace catalogs. Read-only: clients change them through intents.
 */
import {
  CATALOG_THREADS_ROOT,
  DEFAULT_DELIVERY,
  DEFAULT_DIGEST_HOUR,
  DEFAULT_TIME_ZONE,
  DECISION_ROOTS,
  INBOX_ROOTS,
  WORKSPACE_ROOTS,
  type CatalogThread,
  type DecisionDocFields,
  type DecisionHistoryEntry,
  type InboxNotification,
  type InboxPrefs,
  type NotificationKind,
  type PrivateCatalogThread,
  type PrivateDecisionEntry,
  type WorkspaceDecisionEntry,
  type WorkspaceMemberEntry,
} from '@caucus/schema';
import { DocView, plainValues } from './view.js';

export class DecisionView extends DocView {
  /** The decision's fields, or null before the document has arrived. */
  fields(): DecisionDocFields | null {
    const map = this.doc.getMap<unknown>(DECISION_ROOTS.decision);
    if (typeof map.get('id') !== 'string') return null;
    return map.toJSON() as DecisionDocFields;
  }

  history(): DecisionHistoryEntry[] {
    return this.doc
      .getArray<unknown>(DECISION_ROOTS.history)
      .toArray()
      .filter((e): e is DecisionHistoryEntry => typeof e === 'object' && e !== null && 'action' in e);
  }
}

export class InboxView extends DocView {
  /** Newest first. */
  notifications(): InboxNotification[] {
    return plainValues<InboxNotification>(this.doc.getMap(INBOX_ROOTS.notifications))
      .filter((n) => typeof n.id === 'string' && typeof n.at === 'number')
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  }

  unread(): InboxNotification[] {
    return this.notifications().filter((n) => n.readAt === undefined);
  }

  prefs(): InboxPrefs {
    const map = this.doc.getMap<unknown>(INBOX_ROOTS.prefs);
    const muted = map.get('mutedKinds');
    const delivery = map.get('delivery');
    const hour = map.get('digestHour');
    const zone = map.get('timeZone');
    return {
      mutedKinds: Array.isArray(muted) ? (muted as NotificationKind[]) : [],
      delivery: {
        ...DEFAULT_DELIVERY,
        ...(delivery && typeof delivery === 'object' ? (delivery as Partial<InboxPrefs['delivery']>) : {}),
      },
      // Before the server wrote them (an older server, a document not synced yet): its defaults.
      digestHour: hour === null ? null : typeof hour === 'number' ? hour : DEFAULT_DIGEST_HOUR,
      timeZone: typeof zone === 'string' ? zone : DEFAULT_TIME_ZONE,
    };
  }

  /**
   * The user's own catalog of the private threads (and direct conversations) they are in, of
   * every workspace, most recently active first — what the shared `workspace:` catalog never
   * lists. Show them beside `WorkspaceView.threads()` (filter by `workspaceId`).
   */
  privateThreads(): PrivateCatalogThread[] {
    return plainValues<PrivateCatalogThread>(this.doc.getMap(INBOX_ROOTS.threads))
      .filter((t) => typeof t.id === 'string' && typeof t.workspaceId === 'string')
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The open decisions of those private threads, oldest first. */
  privateDecisions(): PrivateDecisionEntry[] {
    return plainValues<PrivateDecisionEntry>(this.doc.getMap(INBOX_ROOTS.decisions))
      .filter((d) => typeof d.id === 'string' && typeof d.workspaceId === 'string')
      .sort((a, b) => a.openedAt - b.openedAt);
  }
}

export class WorkspaceView extends DocView {
  /** The thread catalog, most recently active first. */
  threads(): CatalogThread[] {
    return plainValues<CatalogThread>(this.doc.getMap(CATALOG_THREADS_ROOT))
      .filter((t) => typeof t.id === 'string')
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  members(): WorkspaceMemberEntry[] {
    return plainValues<WorkspaceMemberEntry>(this.doc.getMap(WORKSPACE_ROOTS.members)).filter(
      (m) => typeof m.userId === 'string',
    );
  }

  /** Open decisions, oldest first. */
  decisions(): WorkspaceDecisionEntry[] {
    return plainValues<WorkspaceDecisionEntry>(this.doc.getMap(WORKSPACE_ROOTS.decisions))
      .filter((d) => typeof d.id === 'string')
      .sort((a, b) => a.openedAt - b.openedAt);
  }
}
