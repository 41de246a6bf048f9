/** Decision rows ↔ `DecisionState` (the policy's shape). Call inside the caller's transaction. */
import { and, asc, eq, inArray, notInArray } from 'drizzle-orm';
import { tables, type DecisionId, type DecisionState } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { decisions, decisionApprovals } = tables;

export function loadDecision(db: Db, id: DecisionId): DecisionState | null {
  const row = db.select().from(decisions).where(eq(decisions.id, id)).get();
  if (!row) return null;
  const approvals = db
    .select({ userId: decisionApprovals.userId, at: decisionApprovals.at })
    .from(decisionApprovals)
    .where(eq(decisionApprovals.decisionId, id))
    .orderBy(asc(decisionApprovals.at), asc(decisionApprovals.userId))
    .all();
  return { ...row, approvals };
}

export function insertDecision(db: Db, decision: DecisionState): void {
  const { approvals, ...row } = decision;
  db.insert(decisions).values(row).run();
  if (approvals.length > 0) {
    db.insert(decisionApprovals)
      .values(approvals.map((a) => ({ decisionId: decision.id, userId: a.userId, at: a.at })))
      .run();
  }
}

/** Writes `next` over the stored decision, approvals included. */
export function saveDecision(db: Db, next: DecisionState): void {
  const { approvals, id, ...row } = next;
  db.update(decisions).set(row).where(eq(decisions.id, id)).run();
  const keep = approvals.map((a) => a.userId);
  db.delete(decisionApprovals)
    .where(
      keep.length === 0
        ? eq(decisionApprovals.decisionId, id)
        : and(eq(decisionApprovals.decisionId, id), notInArray(decisionApprovals.userId, keep)),
    )
    .run();
  if (approvals.length > 0) {
    db.insert(decisionApprovals)
      .values(approvals.map((a) => ({ decisionId: id, userId: a.userId, at: a.at })))
      .onConflictDoNothing()
      .run();
  }
}

/** Decisions by id, approvals included (for publishing several at once). */
export function loadDecisions(db: Db, ids: readonly DecisionId[]): DecisionState[] {
  if (ids.length === 0) return [];
  const rows = db
    .select()
    .from(decisions)
    .where(inArray(decisions.id, [...ids]))
    .all();
  return rows.map((row) => ({ ...row, approvals: loadDecision(db, row.id)?.approvals ?? [] }));
}
