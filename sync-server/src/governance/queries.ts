/** Reads for the HTTP API: decisions, checkpoints and stored intents, as their caller may see them. */
import { and, desc, eq, gte, lt, or, type SQL } from 'drizzle-orm';
import {
  agingBucket,
  agingRange,
  tables,
  type AgingBucket,
  type CheckpointId,
  type CheckpointState,
  type DecisionId,
  type DecisionState,
  type DecisionStatus,
  type IntentId,
  type Receipt,
  type ReceiptVerdict,
  type UserId,
  type Verdict,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { checkpointsFor, loadCheckpoint } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { docAccess } from '../workspaces/access.js';
import { threadIdVisibleTo } from '../workspaces/thread-members.js';
import { roleOf, threadOfTarget } from './reads.js';

const { decisions, intents } = tables;

/** Most decisions one list call returns (full-text search and cursors belong to the read model). */
export const MAX_DECISION_LIST = 200;

export interface DecisionSummary {
  id: DecisionId;
  workspaceId: WorkspaceId;
  threadId: DecisionState['threadId'];
  title: string;
  status: DecisionStatus;
  options: string[];
  outcome: string | null;
  requiredApprovals: number;
  dueAt: number | null;
  version: number;
  createdAt: number;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  /** For open decisions: how long they have been open. */
  aging: AgingBucket | null;
}

export interface DecisionDetail extends DecisionState {
  aging: AgingBucket | null;
  checkpoints: CheckpointState[];
  pendingCheckpointId: CheckpointId | null;
}

export interface ListDecisionsInput {
  workspaceId: WorkspaceId;
  status?: DecisionStatus;
  /** Open decisions in that bucket only. */
  aging?: AgingBucket;
  limit?: number;
  /** Only decisions after this one in the list's order (keyset pagination). */
  after?: { updatedAt: number; id: DecisionId };
}

export function listDecisions(
  db: Db,
  userId: UserId,
  input: ListDecisionsInput,
  now: number,
): DecisionSummary[] {
  if (roleOf(db, userId, input.workspaceId) === null) throw new ApiError('not-found', 'workspace not found');
  // Decisions of private threads the caller is not in are not there for them.
  const filters: SQL[] = [
    eq(decisions.workspaceId, input.workspaceId),
    threadIdVisibleTo(decisions.threadId, userId),
  ];
  if (input.status) filters.push(eq(decisions.status, input.status));
  if (input.aging) {
    if (input.status && input.status !== 'open') return [];
    const { from, to } = agingRange(input.aging, now);
    filters.push(eq(decisions.status, 'open'), gte(decisions.openedAt, from), lt(decisions.openedAt, to));
  }
  if (input.after) {
    const { updatedAt, id } = input.after;
    const later = or(
      lt(decisions.updatedAt, updatedAt),
      and(eq(decisions.updatedAt, updatedAt), lt(decisions.id, id)),
    );
    if (later) filters.push(later);
  }
  return db
    .select({
      id: decisions.id,
      workspaceId: decisions.workspaceId,
      threadId: decisions.threadId,
      title: decisions.title,
      status: decisions.status,
      options: decisions.options,
      outcome: decisions.outcome,
      requiredApprovals: decisions.requiredApprovals,
      dueAt: decisions.dueAt,
      version: decisions.version,
      createdAt: decisions.createdAt,
      openedAt: decisions.openedAt,
      updatedAt: decisions.updatedAt,
      resolvedAt: decisions.resolvedAt,
    })
    .from(decisions)
    .where(and(...filters))
    .orderBy(desc(decisions.updatedAt), desc(decisions.id))
    .limit(Math.min(input.limit ?? MAX_DECISION_LIST, MAX_DECISION_LIST))
    .all()
    .map((d) => ({ ...d, aging: agingBucket(d.status, d.openedAt, now) }));
}

/** A decision its caller can see, with its checkpoints; `not-found` otherwise. */
export function getDecision(db: Db, userId: UserId, id: DecisionId, now: number): DecisionDetail {
  const decision = loadDecision(db, id);
  if (!decision || docAccess(db, userId, { kind: 'decision', id }) === 'none') {
    throw new ApiError('not-found', 'decision not found');
  }
  const checkpoints = checkpointsFor(db, id);
  return {
    ...decision,
    aging: agingBucket(decision.status, decision.openedAt, now),
    checkpoints,
    pendingCheckpointId: checkpoints.find((c) => c.status === 'pending')?.id ?? null,
  };
}

/** A checkpoint its caller can see; `not-found` otherwise. */
export function getCheckpoint(db: Db, userId: UserId, id: CheckpointId): CheckpointState {
  const checkpoint = loadCheckpoint(db, id);
  const thread = checkpoint && threadOfTarget(db, checkpoint.target);
  if (!checkpoint || !thread || docAccess(db, userId, { kind: 'thread', id: thread.id }) === 'none') {
    throw new ApiError('not-found', 'checkpoint not found');
  }
  return checkpoint;
}

export interface StoredIntent {
  id: IntentId;
  type: string;
  args: unknown;
  verdict: Verdict;
  createdAt: number;
  /** For `awaiting-approval`: the checkpoint as it is now. */
  checkpoint?: CheckpointState;
  /** The signed verdict (the one `POST /api/intents` returned); none for intents from before receipts. */
  receipt?: Receipt;
  /** Once an `awaiting-approval` intent's checkpoint closed: its final verdict, signed. */
  outcome?: { verdict: ReceiptVerdict; receipt: Receipt };
}

/** An intent the caller submitted; `not-found` for unknown ids and other users' intents alike. */
export function getIntent(db: Db, userId: UserId, id: IntentId): StoredIntent {
  const row = db.select().from(intents).where(eq(intents.id, id)).get();
  if (!row || row.actor !== userId) throw new ApiError('not-found', 'intent not found');
  const stored: StoredIntent = {
    id: row.id,
    type: row.type,
    args: row.args,
    verdict: row.verdict,
    createdAt: row.createdAt,
  };
  if (row.verdict.status === 'awaiting-approval') {
    const checkpoint = loadCheckpoint(db, row.verdict.checkpointId);
    if (checkpoint) stored.checkpoint = checkpoint;
  }
  return stored;
}
