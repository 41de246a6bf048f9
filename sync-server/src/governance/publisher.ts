/**
 * Publishes governed state into the server-only documents: each publish reads the rows and makes
 * the document match them, so it is idempotent, converges whatever ran before, and rebuilding
 * every document at start is the same code. SQLite is the truth; the documents are its view.
 */
import * as Y from 'yjs';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
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
  WORKSPACE_ROOTS,
  workspaceDoc,
  type DecisionDocFields,
  type DecisionId,
  type DocName,
  type DocRef,
  type PrivateDecisionEntry,
  type UserId,
  type WorkspaceDecisionEntry,
  type WorkspaceId,
  type WorkspaceMemberEntry,
} from '@caucus/schema';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import type { DocWriter } from '../sync/doc-writer.js';
import type { Changes } from './changes.js';
import { pendingCheckpointId } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { toInboxNotification } from './notifier.js';

const { decisions, memberships, notifications, prefs, threadMembers, threads, users, workspaces } = tables;

/** Documents published at once while rebuilding. */
const REBUILD_CONCURRENCY = 32;

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** Makes `map` hold exactly `entries` (plain JSON values), writing only what differs. */
export function reconcileMap(map: Y.Map<unknown>, entries: ReadonlyMap<string, unknown>): void {
  for (const key of [...map.keys()]) if (!entries.has(key)) map.delete(key);
  for (const [key, value] of entries) if (!sameJson(map.get(key), value)) map.set(key, value);
}

/** Makes `array` hold exactly `items`, keeping the common prefix (history only grows). */
export function reconcileArray(array: Y.Array<unknown>, items: readonly unknown[]): void {
  let same = 0;
  while (same < array.length && same < items.length && sameJson(array.get(same), items[same])) same++;
  if (same < array.length) array.delete(same, array.length - same);
  if (same < items.length) array.insert(same, items.slice(same));
}

export class Publisher {
  constructor(
    private readonly db: Db,
    private readonly writer: DocWriter,
    private readonly logger: Logger,
  ) {}

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
      const mine = this.#openDecisions(
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

  /** Open decisions matching `where` (over `decisions` joined to their `threads`), oldest first. */
  #openDecisions(where: SQL): PrivateDecisionEntry[] {
    return this.db
      .select({
        id: decisions.id,
        workspaceId: decisions.workspaceId,
        threadId: decisions.threadId,
        title: decisions.title,
        status: decisions.status,
        requiredApprovals: decisions.requiredApprovals,
        approvals: sql<number>`(SELECT count(*) FROM decision_approvals a WHERE a.decision_id = ${decisions.id})`,
        dueAt: decisions.dueAt,
        openedAt: decisions.openedAt,
        updatedAt: decisions.updatedAt,
      })
      .from(decisions)
      .innerJoin(threads, eq(threads.id, decisions.threadId))
      .where(and(eq(decisions.status, 'open'), where))
      .orderBy(asc(decisions.openedAt))
      .all()
      .map((d) => ({ ...d, pendingCheckpointId: pendingCheckpointId(this.db, d.id) }));
  }

  workspace(id: WorkspaceId): Promise<void> {
    return this.#write(workspaceDoc(id), { kind: 'workspace', id }, (doc) => {
      const members = this.db
        .select({ userId: memberships.userId, name: users.name, role: memberships.role })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.workspaceId, id))
        .all();
      reconcileMap(
        doc.getMap(WORKSPACE_ROOTS.members),
        new Map(members.map((m): [string, WorkspaceMemberEntry] => [m.userId, m])),
      );
      // Decisions of private threads are in their members' inboxes instead (see `inbox`).
      const open = this.#openDecisions(
        and(eq(decisions.workspaceId, id), eq(threads.visibility, 'workspace')) as SQL,
      );
      reconcileMap(
        doc.getMap(WORKSPACE_ROOTS.decisions),
        new Map(open.map(({ workspaceId: _ws, ...d }): [string, WorkspaceDecisionEntry] => [d.id, d])),
      );
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
