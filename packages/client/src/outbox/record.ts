/**
 * How a queued intent is stored, with a format version: a client upgraded while intents were
 * waiting must still send what the older one queued, and a client downgraded must not mangle what
 * a newer one wrote. {@link decodeRecord} reads every version this client knows into the current
 * one; a record of an unknown (newer) version is kept untouched and reported, never sent or dropped.
 *
 * - v1: `{ v: 1, id, type, args, basis?, queuedAt }` — just the intent; it was deleted once sent.
 * - v2: the intent with who queued it (`actor`: a state dir signed in as someone else later must
 *   not send it as them), delivery state, attempts, and the verdict kept with it.
 */
import type { IntentId, IntentInput, UserId } from '@caucus/schema';

export const OUTBOX_FORMAT_VERSION = 2;

/** A verdict as the server sent it: the documented fields, plus whatever a newer server adds. */
export type StoredVerdict = { [key: string]: unknown } & (
  | { status: 'accepted'; result?: { [key: string]: unknown } }
  | { status: 'rejected'; code: string; reason: string; remedy: string }
  | { status: 'awaiting-approval'; checkpointId: string }
);

export type RecordState =
  /** Waiting to be sent (or re-sent: delivery is idempotent by id). */
  | 'pending'
  /** The server ruled and the verdict is kept: accepted or awaiting approval. */
  | 'settled'
  /** Rejected, or not sendable: kept for the user to retry or discard. */
  | 'attention';

export interface OutboxRecord {
  v: typeof OUTBOX_FORMAT_VERSION;
  /** Order of queueing; intents are sent in this order. */
  seq: number;
  intent: IntentInput & { id: IntentId };
  /** Who queued it; null for records older than the actor field (sent as whoever is signed in). */
  actor: UserId | null;
  queuedAt: number;
  state: RecordState;
  attempts: number;
  /** The last delivery failure (no verdict), for status displays. */
  lastError: { code: string; message: string } | null;
  verdict: StoredVerdict | null;
  settledAt: number | null;
}

/** A stored row as read back, before decoding. */
export interface RawRecord {
  seq: number;
  id: string;
  value: unknown;
}

export type Decoded =
  { ok: true; record: OutboxRecord } | { ok: false; id: string; seq: number; reason: string };

export function decodeRecord(raw: RawRecord): Decoded {
  const value = raw.value as { v?: unknown } | null;
  const bad = (reason: string): Decoded => ({ ok: false, id: raw.id, seq: raw.seq, reason });
  if (typeof value !== 'object' || value === null) return bad('not an outbox record');
  switch (value.v) {
    case 1:
      return fromV1(raw.seq, value as Partial<V1Record>) ?? bad('a v1 record without an intent');
    case 2:
      return fromV2(raw.seq, value as Partial<OutboxRecord>) ?? bad('a v2 record without an intent');
    default:
      return bad(
        `outbox record format ${String(value.v)} is newer than this client reads (${OUTBOX_FORMAT_VERSION})`,
      );
  }
}

interface V1Record {
  v: 1;
  id: string;
  type: string;
  args: unknown;
  basis?: unknown;
  queuedAt: number;
}

function fromV1(seq: number, value: Partial<V1Record>): Decoded | null {
  if (typeof value.id !== 'string' || typeof value.type !== 'string') return null;
  const intent = { id: value.id, type: value.type, args: value.args ?? {} } as OutboxRecord['intent'];
  if (value.basis !== undefined) (intent as { basis?: unknown }).basis = value.basis;
  return {
    ok: true,
    record: {
      v: OUTBOX_FORMAT_VERSION,
      seq,
      intent,
      actor: null,
      queuedAt: typeof value.queuedAt === 'number' ? value.queuedAt : 0,
      state: 'pending',
      attempts: 0,
      lastError: null,
      verdict: null,
      settledAt: null,
    },
  };
}

function fromV2(seq: number, value: Partial<OutboxRecord>): Decoded | null {
  const intent = value.intent as Partial<OutboxRecord['intent']> | undefined;
  if (typeof intent?.id !== 'string' || typeof intent.type !== 'string') return null;
  const state = value.state === 'settled' || value.state === 'attention' ? value.state : 'pending';
  return {
    ok: true,
    record: {
      v: OUTBOX_FORMAT_VERSION,
      seq,
      intent: intent as OutboxRecord['intent'],
      actor: typeof value.actor === 'string' ? value.actor : null,
      queuedAt: typeof value.queuedAt === 'number' ? value.queuedAt : 0,
      state,
      attempts: typeof value.attempts === 'number' ? value.attempts : 0,
      lastError: value.lastError ?? null,
      verdict: value.verdict ?? null,
      settledAt: typeof value.settledAt === 'number' ? value.settledAt : null,
    },
  };
}

/** What is stored for `record` (the seq is the row's own key). */
export function encodeRecord(record: OutboxRecord): Omit<OutboxRecord, 'seq'> {
  const { seq: _seq, ...rest } = record;
  return rest;
}
