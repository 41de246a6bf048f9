/**
 * The open decisions as the server-only documents list them (the workspace document for shared
 * threads, each member's inbox for private ones): one query for both, oldest first, each with its
 * approval count and the checkpoint it waits for (checkpoint-store.ts's rule, as a subquery).
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { tables, type PrivateDecisionEntry } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { pendingCheckpointOf } from './checkpoint-store.js';

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
      // In the query, not one query per decision after it: a workspace's publish lists every open
      // decision, and per-decision lookups made each intent's cost grow with the workspace.
      pendingCheckpointId: pendingCheckpointOf(decisions.id),
    })
    .from(decisions)
    .innerJoin(threads, eq(threads.id, decisions.threadId))
    .where(and(eq(decisions.status, 'open'), where))
    .orderBy(asc(decisions.openedAt))
    .all();
}
