/**
 * Publishes governed state into the server-only documents: each publish reads the rows and makes
 * the document match them, so it is idempotent, converges whatever ran before, and rebuilding
 * every document at start is the same code. SQLite is the truth; the documents are its view. The
 * workspace document has one writer of its own (projection/workspace-doc.ts), which this calls.
 */
import * as Y from 'yjs';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import {
  DEFAULT_DELIVERY,
  DEFAULT_DIGEST_HOUR,
  DEFAULT_TIME_ZONE,
  DECISION_ROOTS,
  decisionDoc,
  INBOX_DOC_LIMIT,
  INBOX_ROOTS,
  inboxDoc,
  tables,
  workspaceDoc,
  type DecisionDocFields,
  type DecisionId,
  type DocName,
  type DocRef,
  type PrivateDecisionEntry,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { WorkspaceDocPublisher } from '../projection/workspace-doc.js';
import type { DocWriter } from '../sync/doc-writer.js';
import { reconcileArray, reconcileMap } from '../sync/reconcile.js';
import type { Changes } from './changes.js';
import { pendingCheckpointId } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { toInboxNotification } from './notifier.js';
import { openDecisions } from './open-decisions.js';

const { decisions, memberships, notifications, prefs, threadMembers, threads, workspaces } = tables;

/** Documents published at once while rebuilding. */
const REBUILD_CONCURRENCY = 32;

export class Publisher {
  readonly #workspaceDoc: WorkspaceDocPublisher;

  constructor(
    private readonly db: Db,
    private readonly writer: DocWriter,
    private readonly logger: Logger,
  ) {
    this.#workspaceDoc = new WorkspaceDocPublisher({ db, writer });
  }

  /** Publishes everything `changes` touched; failures are logged (the rows stay the truth). */
  async publish(changes: Changes): Promise<void> {
    const jobs: Array<Promise<void>> = [];
    for (const id of changes.decisions) jobs.push(this.decision(id));
    for (const id of changes.inboxes) jobs.push(this.inbox(id));
    for (const id of changes.workspaces) jobs.push(this.workspace(id));
    await Promise.all(jobs);
  }

  decision(id: DecisionId): Promise<void> {
    return this.#write(decisionDoc(id), { kind: 'decision', id }, (doc) => {
      const decision = loadDecision(this.db, id);
      if (!decision) return;
      const { history, ...state } = decision;
      const fields: DecisionDocFields = { ...state, pendingCheckpointId: pendingCheckpointId(this.db, id) };
      reconcileMap(doc.getMap(DECISION_ROOTS.decision), new Map(Object.entries(fields)));
      reconcileArray(doc.getArray(DECISION_ROOTS.history), history);
    });
  }

  inbox(userId: UserId): Promise<void> {
    return this.#write(inboxDoc(userId), { kind: 'inbox', id: userId }, (doc) => {
      const latest = this.db
        .select()
        .from(notifications)
        .where(eq(notifications.userId, userId))
        .orderBy(desc(notifications.at), desc(sql`rowid`))
        .limit(INBOX_DOC_LIMIT)
        .all()
        .map(toInboxNotification);
      reconcileMap(doc.getMap(INBOX_ROOTS.notifications), new Map(latest.map((n) => [n.id, n])));
      const stored = this.db
        .select({
          mutedKinds: prefs.mutedKinds,
          delivery: prefs.delivery,
          digestHour: prefs.digestHour,
          timeZone: prefs.timeZone,
        })
        .from(prefs)
        .where(eq(prefs.userId, userId))
        .get();
      // The channels as chosen, defaults filled in, for the notification preferences screen.
      const delivery = { ...DEFAULT_DELIVERY, ...stored?.delivery };
      reconcileMap(
        doc.getMap(INBOX_ROOTS.prefs),
        new Map<string, unknown>([
          ['mutedKinds', stored?.mutedKinds ?? []],
          ['delivery', delivery],
          // The daily digest: local hour (null: none) and time zone; a user with no row gets 8 UTC.
          ['digestHour', stored ? stored.digestHour : DEFAULT_DIGEST_HOUR],
          ['timeZone', stored?.timeZone ?? DEFAULT_TIME_ZONE],
        ]),
      );
      const mine = openDecisions(
        this.db,
        and(
          eq(threads.visibility, 'private'),
          sql`EXISTS (SELECT 1 FROM ${threadMembers} WHERE ${threadMembers.threadId} = ${threads.id} AND ${threadMembers.userId} = ${userId})`,
          sql`EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.workspaceId} = ${decisions.workspaceId} AND ${memberships.userId} = ${userId})`,
        ) as SQL,
      );
      reconcileMap(
        doc.getMap(INBOX_ROOTS.decisions),
        new Map(mine.map((d): [string, PrivateDecisionEntry] => [d.id, d])),
      );
    });
  }

  /** The members and open decisions of the workspace document (its catalog is the read model's). */
  workspace(id: WorkspaceId): Promise<void> {
    // Decisions of private threads are in their members' inboxes instead (see `inbox`).
    const shared = () =>
      openDecisions(
        this.db,
        and(eq(decisions.workspaceId, id), eq(threads.visibility, 'workspace')) as SQL,
      ).map(({ workspaceId: _ws, ...d }) => d);
    return this.#workspaceDoc.governed(id, shared).catch((err: unknown) => {
      this.logger.error({ err, doc: workspaceDoc(id) }, 'publishing a governed document failed');
    });
  }

  /** Publishes every governed document from the rows (at start: SQLite is the truth). */
  async rebuildAll(): Promise<void> {
    const jobs: Array<() => Promise<void>> = [
      ...this.db
        .select({ id: decisions.id })
        .from(decisions)
        .all()
        .map(
          ({ id }) =>
            () =>
              this.decision(id),
        ),
      ...this.db
        .select({ id: workspaces.id })
        .from(workspaces)
        .all()
        .map(
          ({ id }) =>
            () =>
              this.workspace(id),
        ),
      ...this.db.$client
        // Members of private threads, and whoever left one (their inbox lists those threads' decisions).
        .prepare(
          `SELECT user_id AS id FROM notifications UNION SELECT user_id AS id FROM prefs
           UNION SELECT user_id AS id FROM thread_members
           UNION SELECT json_extract(args, '$.userId') AS id FROM intents
             WHERE type IN ('thread.removeMember', 'member.remove')`,
        )
        .all()
        .map((row) => () => this.inbox((row as { id: UserId }).id)),
    ];
    for (let i = 0; i < jobs.length; i += REBUILD_CONCURRENCY) {
      await Promise.all(jobs.slice(i, i + REBUILD_CONCURRENCY).map((job) => job()));
    }
  }

  #write(name: DocName, ref: DocRef, change: (doc: Y.Doc) => void): Promise<void> {
    return this.writer.transact(name, ref, change).catch((err: unknown) => {
      this.logger.error({ err, doc: name }, 'publishing a governed document failed');
    });
  }
}
