/**
 * The audit log: one event per verdict, each hashed together with the previous event's hash, so
 * changing, inserting or removing an event in the middle breaks the chain from there on.
 */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { tables, type ThreadId, type UserId, type Verdict, type WorkspaceId } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { auditEvents, threadMembers } = tables;

/** The `prevHash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);
/** Most events one audit listing returns. */
export const MAX_AUDIT_LIST = 500;

export interface AuditInput {
  at: number;
  actor: UserId;
  workspaceId: WorkspaceId | null;
  intentId: string | null;
  type: string;
  /** The intent as adjudicated, as JSON text. */
  intent: string;
  verdict: Verdict;
  policyVersion: number;
  /** The private thread it concerns (`privateThreadOf`): only its members may list it. */
  privateThreadId?: ThreadId | null;
}

export type AuditRow = typeof auditEvents.$inferSelect;

/** The hash of one event: sha256 (hex) over its fields and the previous hash, as a JSON array. */
export function auditHash(e: Omit<AuditRow, 'hash' | 'status'>): string {
  const fields = [
    e.seq,
    e.at,
    e.actor,
    e.workspaceId,
    e.intentId,
    e.type,
    e.intent,
    e.verdict,
    e.policyVersion,
    e.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** Appends an event; call inside the transaction that made the verdict. */
export function appendAudit(db: Db, input: AuditInput): AuditRow {
  const last = db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1)
    .get();
  const unhashed = {
    seq: (last?.seq ?? 0) + 1,
    at: input.at,
    actor: input.actor,
    workspaceId: input.workspaceId,
    intentId: input.intentId,
    type: input.type,
    intent: input.intent,
    verdict: JSON.stringify(input.verdict),
    status: input.verdict.status,
    policyVersion: input.policyVersion,
    prevHash: last?.hash ?? GENESIS_HASH,
    privateThreadId: input.privateThreadId ?? null,
  };
  const row: AuditRow = { ...unhashed, hash: auditHash(unhashed) };
  db.insert(auditEvents).values(row).run();
  return row;
}

export type AuditVerification =
  { ok: true; events: number } | { ok: false; events: number; brokenAt: { seq: number; reason: string } };

/**
 * Walks the whole chain in order. The first event whose sequence, link or hash does not hold is
 * reported. (Removing events from the end leaves a valid, shorter chain: keep the last hash
 * elsewhere to detect that.)
 */
export function verifyAuditChain(db: Db): AuditVerification {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let events = 0;
  const rows = db.$client
    .prepare(
      `SELECT seq, at, actor, workspace_id AS workspaceId, intent_id AS intentId, type, intent, verdict,
              status, policy_version AS policyVersion, prev_hash AS prevHash, hash
         FROM audit_events ORDER BY seq`,
    )
    .iterate() as IterableIterator<AuditRow>;
  for (const row of rows) {
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      events,
      brokenAt: { seq: row.seq, reason },
    });
    if (row.seq !== expectedSeq) return broken(`expected event #${expectedSeq} (a gap or reordering)`);
    if (row.prevHash !== prevHash) return broken('its prev_hash is not the previous event’s hash');
    if (auditHash(row) !== row.hash) return broken('its hash does not match its content');
    let status: unknown;
    try {
      status = (JSON.parse(row.verdict) as { status?: unknown }).status;
    } catch {
      return broken('its verdict is not JSON');
    }
    if (status !== row.status) return broken('its status does not match its verdict');
    events++;
    expectedSeq++;
    prevHash = row.hash;
  }
  return { ok: true, events };
}

export interface AuditEventView {
  seq: number;
  at: number;
  actor: UserId;
  workspaceId: WorkspaceId | null;
  intentId: string | null;
  type: string;
  intent: unknown;
  verdict: Verdict;
  policyVersion: number;
  prevHash: string;
  hash: string;
}

/**
 * A workspace's events in chain order, after `after` (a seq), as `viewer` may see them: events of
 * a private thread only when they are one of its members.
 */
export function listAudit(
  db: Db,
  workspaceId: WorkspaceId,
  viewer: UserId,
  options: { after?: number; limit?: number } = {},
): AuditEventView[] {
  const visible = sql`(${auditEvents.privateThreadId} IS NULL OR EXISTS (SELECT 1 FROM ${threadMembers} WHERE ${threadMembers.threadId} = ${auditEvents.privateThreadId} AND ${threadMembers.userId} = ${viewer}))`;
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, workspaceId), gt(auditEvents.seq, options.after ?? 0), visible))
    .orderBy(asc(auditEvents.seq))
    .limit(options.limit ?? MAX_AUDIT_LIST)
    .all()
    .map(({ status: _status, privateThreadId: _private, intent, verdict, ...row }) => ({
      ...row,
      intent: parseJson(intent),
      verdict: parseJson(verdict) as Verdict,
    }));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
