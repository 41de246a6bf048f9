import type { IntentId, IntentInput, IntentType, IntentArgsInput, Basis } from '@caucus/schema';
import type { ApiFailure } from '../api/result.js';
import type { Overlay, Prediction } from './preview.js';
import type { StoredVerdict } from './record.js';

/** An intent waiting to be sent, with the verdict the policy predicts for it. */
export interface PendingIntent {
  id: IntentId;
  intent: IntentInput;
  queuedAt: number;
  attempts: number;
  lastError: { code: string; message: string } | null;
  prediction: Prediction;
}

/** A rejected (or unsendable) intent, kept until the user retries or discards it. */
export interface RejectedIntent {
  id: IntentId;
  intent: IntentInput;
  code: string;
  reason: string;
  remedy: string;
  /** What the client had predicted (and showed) before the server said no: the rolled-back effect. */
  rolledBack: Prediction | null;
  /** The server's verdict as it came (with its signed receipt); null when the request itself was refused. */
  verdict: StoredVerdict | null;
  at: number;
}

/** An intent the server ruled on (accepted, or waiting in a checkpoint). */
export interface SettledIntent {
  id: IntentId;
  intent: IntentInput;
  verdict: StoredVerdict;
  settledAt: number;
}

export type Delivery =
  | 'idle'
  | 'sending'
  /** Backing off after a network error, 5xx or 429; `lastError` says which. */
  | 'waiting'
  /** The credentials were refused for good: sign in again. */
  | 'auth-required';

export interface OutboxState {
  pending: PendingIntent[];
  needsAttention: RejectedIntent[];
  /** Verdicts kept with their intents, oldest first (the newest {@link DEFAULT_KEEP_SETTLED}). */
  settled: SettledIntent[];
  /** Records of a newer format than this client reads: kept untouched, not sent. */
  unreadable: Array<{ id: string; reason: string }>;
  delivery: Delivery;
  lastError: ApiFailure | null;
  /** Server state with the pending intents' predicted effects (decisions, threads, roles, inbox). */
  optimistic: Overlay;
}

export interface VerdictEvent {
  id: IntentId;
  intent: IntentInput;
  verdict: StoredVerdict;
  /** For a rejection: what had been predicted and is now rolled back. */
  rolledBack: Prediction | null;
}

export interface Submitted {
  id: IntentId;
  /** Resolves once the intent is stored in the outbox. */
  queued: Promise<void>;
  /** The server's verdict, when it arrives in this process (a rejection is a verdict too). */
  verdict: Promise<StoredVerdict>;
}

export interface SubmitOptions {
  basis?: Basis;
  /** A client-made id; a new UUIDv7 by default. */
  id?: IntentId;
}

export type SubmitArgs<T extends IntentType> = [type: T, args: IntentArgsInput<T>, options?: SubmitOptions];

/** How many settled verdicts the outbox keeps (older ones are pruned). */
export const DEFAULT_KEEP_SETTLED = 500;

/** An intent the client itself cannot send (bad arguments): a value, never queued. */
export class InvalidIntent extends Error {
  override name = 'InvalidIntent';
  readonly code = 'invalid-intent';
}

/** A verdict that will not come: the intent was discarded before it was sent. */
export class IntentDiscarded extends Error {
  override name = 'IntentDiscarded';
  readonly code = 'discarded';
}
