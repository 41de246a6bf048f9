import type { CheckpointId, IntentId } from '../ids.js';
import type { Receipt } from '../receipt.js';
import type { RejectionCode } from './rejections.js';

/** A JSON value, as results travel over HTTP and into documents. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export const VERDICT_STATUSES = ['accepted', 'rejected', 'awaiting-approval'] as const;
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

/**
 * The server's ruling on one intent, as `POST /api/intents` returns it and a retry returns it again.
 * Business rejections are verdicts (HTTP 200); only retryable failures are HTTP 5xx.
 */
export type Verdict =
  /** Applied. `result` names what changed, e.g. `{ decisionId }`. */
  | { status: 'accepted'; result: { [key: string]: Json } }
  | { status: 'rejected'; code: RejectionCode; reason: string; remedy: string }
  /** Waiting in checkpoint `checkpointId` for approvals by distinct approvers; it runs then. */
  | { status: 'awaiting-approval'; checkpointId: CheckpointId };

/**
 * One entry of `POST /api/intents`' results; `id` is null for a malformed intent without a usable id.
 * `receipt` is the server's signature over the verdict (a retry returns the same one); intents
 * adjudicated before receipts existed have none.
 */
export type IntentResult = { id: IntentId | null } & Verdict & { receipt?: Receipt };
