/**
 * The dashboard of one workspace (`GET /api/dashboard`): counts over the authoritative rows
 * (threads, decisions, checkpoints, notifications) and the read model (files attached to its
 * threads), for a member of the workspace — over the threads they see: private threads count
 * for their members only, so a count never reveals one.
 */
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import {
  AGING_BUCKETS,
  agingBucket,
  DECISION_STATUSES,
  tables,
  THREAD_STATUSES,
  type AgingBucket,
  type DecisionStatus,
  type ThreadStatus,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import { threadIdVisibleTo, threadVisibleTo } from '../workspaces/thread-members.js';
import type { Db } from '../storage/db.js';

const { checkpoints, decisions, memberships, notifications, projectedAttachments, threads } = tables;

export interface Dashboard {
  workspaceId: WorkspaceId;
  threads: { total: number } & Record<ThreadStatus, number>;
  decisions: {
    total: number;
    byStatus: Record<DecisionStatus, number>;
    /** Open decisions by how long they have been open. */
    aging: Record<AgingBucket, number>;
  };
  checkpoints: { pending: number };
  /** The caller's unread notifications (inboxes belong to users, not to workspaces). */
  notifications: { unread: number };
  /** Files attached to the workspace's threads. */
  files: { count: number; bytes: number };
  /** When the counts were taken (aging is relative to it). */
  at: number;
}

/** The thread a checkpoint waits on: its target, or the thread of its target decision. */
const checkpointThread = sql`CASE ${checkpoints.targetKind} WHEN 'thread' THEN ${checkpoints.targetId} ELSE (SELECT d.thread_id FROM ${decisions} d WHERE d.id = ${checkpoints.targetId}) END`;

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function dashboard(db: Db, userId: UserId, workspaceId: WorkspaceId, now: number): Dashboard {
  const member = db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .get();
  if (!member) throw new ApiError('not-found', 'workspace not found');

  const threadCounts = zeros(THREAD_STATUSES);
  for (const row of db
    .select({ status: threads.status, n: count() })
    .from(threads)
    .where(and(eq(threads.workspaceId, workspaceId), threadVisibleTo(userId)))
    .groupBy(threads.status)
    .all()) {
    threadCounts[row.status] = row.n;
  }

  const byStatus = zeros(DECISION_STATUSES);
  for (const row of db
    .select({ status: decisions.status, n: count() })
    .from(decisions)
    .where(and(eq(decisions.workspaceId, workspaceId), threadIdVisibleTo(decisions.threadId, userId)))
    .groupBy(decisions.status)
    .all()) {
    byStatus[row.status] = row.n;
  }
  const aging = zeros(AGING_BUCKETS);
  for (const { openedAt } of db
    .select({ openedAt: decisions.openedAt })
    .from(decisions)
    .where(
      and(
        eq(decisions.workspaceId, workspaceId),
        eq(decisions.status, 'open'),
        threadIdVisibleTo(decisions.threadId, userId),
      ),
    )
    .all()) {
    const bucket = agingBucket('open', openedAt, now);
    if (bucket) aging[bucket]++;
  }

  const pending =
    db
      .select({ n: count() })
      .from(checkpoints)
      .where(
        and(
          eq(checkpoints.workspaceId, workspaceId),
          eq(checkpoints.status, 'pending'),
          threadIdVisibleTo(checkpointThread, userId),
        ),
      )
      .get()?.n ?? 0;
  const unread =
    db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .get()?.n ?? 0;
  const files = db
    .select({ n: count(), bytes: sql<number>`coalesce(sum(${projectedAttachments.size}), 0)` })
    .from(projectedAttachments)
    .innerJoin(threads, eq(threads.id, projectedAttachments.threadId))
    .where(and(eq(threads.workspaceId, workspaceId), threadVisibleTo(userId)))
    .get();

  return {
    workspaceId,
    threads: { total: Object.values(threadCounts).reduce((a, b) => a + b, 0), ...threadCounts },
    decisions: { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus, aging },
    checkpoints: { pending },
    notifications: { unread },
    files: { count: files?.n ?? 0, bytes: files?.bytes ?? 0 },
    at: now,
  };
}
