/**
 * The open decisions as the server-only documents list them (the workspace document for shared
 * threads, each member's inbox for private ones): one query for both, oldest first, each with its
 * approval count and the checkpoint it waits for.
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { tables, type PrivateDecisionEntry } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { pendingCheckpointId } from './checkpoint-store.js';

const { decisions, threads } = tables;

/** Open decisions matching `where` (over `decisions` joined to their `threads`), oldest first. */
export function openDecisions(db: Db, where: SQL): PrivateDecisionEntry[] {
  return db
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
    .map((d) => ({ ...d, pendingCheckpointId: pendingCheckpointId(db, d.id) }));
}
