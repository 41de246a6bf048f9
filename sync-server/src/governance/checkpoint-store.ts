/** Checkpoint rows ↔ `CheckpointState` (the policy's shape). Call inside the caller's transaction. */
import { and, asc, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { tables, type CheckpointId, type CheckpointState, type CheckpointTarget } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { checkpoints, checkpointApprovals } = tables;

type Row = typeof checkpoints.$inferSelect;

function toState(db: Db, row: Row): CheckpointState {
  const { targetKind, targetId, ...rest } = row;
  const approvals = db
    .select({ userId: checkpointApprovals.userId, at: checkpointApprovals.at })
    .from(checkpointApprovals)
    .where(eq(checkpointApprovals.checkpointId, row.id))
    .orderBy(asc(checkpointApprovals.at), asc(checkpointApprovals.userId))
    .all();
  return { ...rest, target: { kind: targetKind, id: targetId } as CheckpointTarget, approvals };
}

export function loadCheckpoint(db: Db, id: CheckpointId): CheckpointState | null {
  const row = db.select().from(checkpoints).where(eq(checkpoints.id, id)).get();
  return row ? toState(db, row) : null;
}

/** Checkpoints waiting on `targetId`, oldest first. */
export function pendingCheckpoints(db: Db, targetId: string): CheckpointState[] {
  return db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.targetId, targetId), eq(checkpoints.status, 'pending')))
    .orderBy(asc(checkpoints.createdAt), asc(checkpoints.id))
    .all()
    .map((row) => toState(db, row));
}

/** Every checkpoint on `targetId`, oldest first. */
export function checkpointsFor(db: Db, targetId: string): CheckpointState[] {
  return db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.targetId, targetId))
    .orderBy(asc(checkpoints.createdAt), asc(checkpoints.id))
    .all()
    .map((row) => toState(db, row));
}

/**
 * The pending checkpoint of the target whose id is `targetId` (a column of an outer query) as a
 * subquery: the same rule as `pendingCheckpointId`, for lists that need it row by row.
 */
export function pendingCheckpointOf(targetId: SQLWrapper): SQL<CheckpointId | null> {
  return sql<CheckpointId | null>`(SELECT ${checkpoints.id} FROM ${checkpoints} WHERE ${checkpoints.targetId} = ${targetId} AND ${checkpoints.status} = 'pending' ORDER BY ${checkpoints.createdAt} LIMIT 1)`;
}

/** The oldest pending checkpoint of a target (a decision, a thread), or null. */
export function pendingCheckpointId(db: Db, targetId: string): CheckpointId | null {
  const row = db
    .select({ id: checkpoints.id })
    .from(checkpoints)
    .where(and(eq(checkpoints.targetId, targetId), eq(checkpoints.status, 'pending')))
    .orderBy(asc(checkpoints.createdAt))
    .get();
  return row?.id ?? null;
}

export function insertCheckpoint(db: Db, checkpoint: CheckpointState): void {
  const { approvals, target, ...row } = checkpoint;
  db.insert(checkpoints)
    .values({ ...row, targetKind: target.kind, targetId: target.id })
    .run();
  if (approvals.length > 0) {
    db.insert(checkpointApprovals)
      .values(approvals.map((a) => ({ checkpointId: checkpoint.id, userId: a.userId, at: a.at })))
      .run();
  }
}

/** Writes `next` over the stored checkpoint; approvals only ever grow. */
export function saveCheckpoint(db: Db, next: CheckpointState): void {
  const { approvals, target: _target, id, ...row } = next;
  db.update(checkpoints).set(row).where(eq(checkpoints.id, id)).run();
  if (approvals.length > 0) {
    db.insert(checkpointApprovals)
      .values(approvals.map((a) => ({ checkpointId: id, userId: a.userId, at: a.at })))
      .onConflictDoNothing()
      .run();
  }
}
