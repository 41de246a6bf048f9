/**
 * What one user's daily digest says: over the workspaces they are a member of, and only the
 * threads they may read (a private thread's activity, decisions and checkpoints reach its members
 * only), for a window of time (the last 24 h):
 *
 * - threads with new messages by others (your own messages are not news to you), by count;
 * - decisions opened (proposed or reopened) and resolved in the window;
 * - checkpoints waiting for the user's approval now (an approver or owner of the workspace who has
 *   not approved it and did not ask for it), however old.
 *
 * Reads only; the text is plain, a line per section, each list cut after a few items.
 */
import { and, count, desc, eq, gte, inArray, isNull, lt, ne, notExists, or, sql } from 'drizzle-orm';
import {
  roleAtLeast,
  tables,
  type DecisionId,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { threadIdVisibleTo, threadVisibleTo } from '../workspaces/thread-members.js';
import { describeIntent, quote, userName } from './describe.js';

const {
  checkpointApprovals,
  checkpoints,
  decisions,
  memberships,
  projectedMessages,
  projectedThreads,
  threads,
  workspaces,
} = tables;

/** Items listed per section; the rest are counted ("and 3 more"). */
export const DIGEST_LIST_ITEMS = 8;

export interface DigestWindow {
  /** From (inclusive) … */
  from: number;
  /** … to (exclusive), ms since the epoch. */
  to: number;
}

export interface DigestThread {
  id: ThreadId;
  workspaceId: WorkspaceId;
  title: string;
  newMessages: number;
}

export interface DigestDecision {
  id: DecisionId;
  workspaceId: WorkspaceId;
  title: string;
  /** A resolved one's outcome. */
  outcome: string | null;
}

export interface DigestCheckpoint {
  workspaceId: WorkspaceId;
  /** "ann wants to archive the thread “Old plans”". */
  what: string;
}

export interface Digest {
  threads: DigestThread[];
  opened: DigestDecision[];
  resolved: DigestDecision[];
  waiting: DigestCheckpoint[];
  /** The workspaces it tells about, id → name. */
  workspaces: Map<WorkspaceId, string>;
}

/** The thread a checkpoint waits on: its target, or the thread of its target decision. */
const checkpointThread = sql`CASE ${checkpoints.targetKind} WHEN 'thread' THEN ${checkpoints.targetId} ELSE (SELECT d.thread_id FROM ${decisions} d WHERE d.id = ${checkpoints.targetId}) END`;

function activeThreads(db: Db, userId: UserId, wsIds: WorkspaceId[], w: DigestWindow): DigestThread[] {
  const newMessages = count(projectedMessages.key);
  return db
    .select({
      id: threads.id,
      workspaceId: threads.workspaceId,
      title: sql<string>`coalesce(${projectedThreads.title}, ${threads.title})`,
      newMessages,
    })
    .from(projectedMessages)
    .innerJoin(threads, eq(threads.id, projectedMessages.threadId))
    .leftJoin(projectedThreads, eq(projectedThreads.threadId, threads.id))
    .where(
      and(
        inArray(threads.workspaceId, wsIds),
        threadVisibleTo(userId),
        gte(projectedMessages.at, w.from),
        lt(projectedMessages.at, w.to),
        or(isNull(projectedMessages.author), ne(projectedMessages.author, userId)),
      ),
    )
    .groupBy(threads.id)
    .orderBy(desc(newMessages), sql`coalesce(${projectedThreads.title}, ${threads.title})`, threads.id)
    .all();
}

function decisionsWhere(db: Db, userId: UserId, wsIds: WorkspaceId[], when: ReturnType<typeof and>) {
  return db
    .select({
      id: decisions.id,
      workspaceId: decisions.workspaceId,
      title: decisions.title,
      outcome: decisions.outcome,
    })
    .from(decisions)
    .where(and(inArray(decisions.workspaceId, wsIds), threadIdVisibleTo(decisions.threadId, userId), when))
    .orderBy(decisions.openedAt, decisions.id)
    .all();
}

function waitingCheckpoints(db: Db, userId: UserId, wsIds: WorkspaceId[]): DigestCheckpoint[] {
  if (wsIds.length === 0) return [];
  return db
    .select({ workspaceId: checkpoints.workspaceId, action: checkpoints.action, by: checkpoints.requestedBy })
    .from(checkpoints)
    .where(
      and(
        inArray(checkpoints.workspaceId, wsIds),
        eq(checkpoints.status, 'pending'),
        ne(checkpoints.requestedBy, userId),
        threadIdVisibleTo(checkpointThread, userId),
        notExists(
          db
            .select({ one: sql`1` })
            .from(checkpointApprovals)
            .where(
              and(
                eq(checkpointApprovals.checkpointId, checkpoints.id),
                eq(checkpointApprovals.userId, userId),
              ),
            ),
        ),
      ),
    )
    .orderBy(checkpoints.createdAt, checkpoints.id)
    .all()
    .map((c) => ({
      workspaceId: c.workspaceId,
      what: `${userName(db, c.by)} wants to ${describeIntent(db, c.action)}`,
    }));
}

/** What `userId`'s digest for `window` says (empty sections when nothing happened). */
export function buildDigest(db: Db, userId: UserId, window: DigestWindow): Digest {
  const mine = db
    .select({ workspaceId: memberships.workspaceId, role: memberships.role, name: workspaces.name })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .all();
  const all = mine.map((m) => m.workspaceId);
  const approving = mine.filter((m) => roleAtLeast(m.role, 'approver')).map((m) => m.workspaceId);
  const digest: Digest = {
    threads: all.length === 0 ? [] : activeThreads(db, userId, all, window),
    opened:
      all.length === 0
        ? []
        : decisionsWhere(
            db,
            userId,
            all,
            and(gte(decisions.openedAt, window.from), lt(decisions.openedAt, window.to)),
          ),
    resolved:
      all.length === 0
        ? []
        : decisionsWhere(
            db,
            userId,
            all,
            and(
              eq(decisions.status, 'resolved'),
              gte(decisions.resolvedAt, window.from),
              lt(decisions.resolvedAt, window.to),
            ),
          ),
    waiting: waitingCheckpoints(db, userId, approving),
    workspaces: new Map(),
  };
  const named = new Map(mine.map((m) => [m.workspaceId, m.name]));
  for (const item of [...digest.threads, ...digest.opened, ...digest.resolved, ...digest.waiting])
    digest.workspaces.set(item.workspaceId, named.get(item.workspaceId) ?? item.workspaceId);
  return digest;
}

/** Nothing to say: no digest is sent. */
export function isEmptyDigest(d: Digest): boolean {
  return d.threads.length + d.opened.length + d.resolved.length + d.waiting.length === 0;
}

function listed<T>(items: readonly T[], show: (item: T) => string): string {
  const shown = items.slice(0, DIGEST_LIST_ITEMS).map(show).join(', ');
  const rest = items.length - DIGEST_LIST_ITEMS;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}

/** The digest as short plain text: a line per section that has something. */
export function digestText(d: Digest): string {
  // With more than one workspace, each item says which one it is in.
  const where = (ws: WorkspaceId) => (d.workspaces.size > 1 ? ` in ${d.workspaces.get(ws) ?? ws}` : '');
  const lines: string[] = [];
  if (d.threads.length > 0)
    lines.push(
      `Threads with new messages: ${listed(d.threads, (t) => `${quote(t.title)}${where(t.workspaceId)} (${t.newMessages} new)`)}`,
    );
  if (d.opened.length > 0)
    lines.push(`Decisions opened: ${listed(d.opened, (x) => `${quote(x.title)}${where(x.workspaceId)}`)}`);
  if (d.resolved.length > 0)
    lines.push(
      `Decisions resolved: ${listed(d.resolved, (x) => `${quote(x.title)}${where(x.workspaceId)} → ${quote(x.outcome ?? '')}`)}`,
    );
  if (d.waiting.length > 0)
    lines.push(`Waiting for your approval: ${listed(d.waiting, (c) => `${c.what}${where(c.workspaceId)}`)}`);
  return lines.join('\n');
}

/** Where the digest links: the one workspace it tells about, else the inbox. */
export function digestLink(d: Digest): string {
  const [only, ...others] = d.workspaces.keys();
  return only !== undefined && others.length === 0 ? `/workspaces/${only}` : '/inbox';
}
