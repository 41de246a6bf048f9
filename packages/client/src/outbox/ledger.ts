/**
 * The outbox's records in memory and the state derived from them (pending with predictions,
 * needs-attention, settled, unreadable, the optimistic overlay). No I/O: the outbox persists each
 * record the ledger changes.
 */
import { parseIntent, type Basis, type Intent, type IntentId, type UserId } from '@caucus/schema';
import type { ApiFailure } from '../api/result.js';
import type { GovernedView } from './governed-view.js';
import type {
  Delivery,
  RejectedIntent,
  OutboxState,
  PendingIntent,
  SettledIntent,
  VerdictEvent,
} from './outbox-types.js';
import type { preview, Prediction } from './preview.js';
import { decodeRecord, type OutboxRecord, type RawRecord, type StoredVerdict } from './record.js';

export class OutboxLedger {
  readonly #records = new Map<string, OutboxRecord>();
  readonly #unreadable: Array<{ id: string; reason: string }> = [];
  readonly #view: () => GovernedView;
  readonly #actor: () => UserId | null;
  readonly #now: () => number;
  /** The shared policy's preview, loaded by the outbox as a chunk of its own (`Outbox.open`). */
  readonly #preview: typeof preview;
  /** What each needs-attention record had been predicted to do, when it was rejected here. */
  readonly #rolledBack = new Map<string, Prediction>();
  #delivery: Delivery = 'idle';
  #lastError: ApiFailure | null = null;
  #state!: OutboxState;

  constructor(
    rows: RawRecord[],
    view: () => GovernedView,
    actor: () => UserId | null,
    now: () => number,
    predict: typeof preview,
  ) {
    this.#view = view;
    this.#preview = predict;
    this.#actor = actor;
    this.#now = now;
    for (const row of rows) {
      const decoded = decodeRecord(row);
      if (decoded.ok) this.#records.set(decoded.record.intent.id, decoded.record);
      else this.#unreadable.push({ id: decoded.id, reason: decoded.reason });
    }
    this.recompute();
  }

  get state(): OutboxState {
    return this.#state;
  }

  get(id: string): OutboxRecord | undefined {
    return this.#records.get(id);
  }

  put(record: OutboxRecord): void {
    this.#records.set(record.intent.id, record);
    this.recompute();
  }

  delete(id: string): void {
    this.#records.delete(id);
    this.#rolledBack.delete(id);
    this.recompute();
  }

  /** Pending records this actor may send, in queue order. */
  sendable(): OutboxRecord[] {
    const me = this.#actor();
    if (me === null) return [];
    return this.#ordered().filter((r) => r.state === 'pending' && (r.actor === null || r.actor === me));
  }

  settle(id: IntentId, verdict: StoredVerdict): VerdictEvent | null {
    const record = this.#records.get(id);
    if (!record || record.state !== 'pending') return null;
    const predicted = this.#state.pending.find((p) => p.id === id)?.prediction ?? null;
    const rejected = verdict.status === 'rejected';
    this.#records.set(id, {
      ...record,
      state: rejected ? 'attention' : 'settled',
      verdict,
      settledAt: this.#now(),
      lastError: null,
    });
    const rolledBack = rejected ? predicted : null;
    if (rolledBack) this.#rolledBack.set(id, rolledBack);
    this.recompute();
    return { id, intent: record.intent, verdict, rolledBack };
  }

  /** A delivery without a verdict; `final` failures (the server refused the request itself) need attention. */
  failed(id: string, error: ApiFailure, final: boolean): OutboxRecord | null {
    const record = this.#records.get(id);
    if (!record) return null;
    const next: OutboxRecord = {
      ...record,
      attempts: record.attempts + 1,
      lastError: { code: error.code, message: error.message },
      ...(final
        ? {
            state: 'attention' as const,
            verdict: {
              status: 'rejected' as const,
              code: error.code,
              reason: error.message,
              remedy: 'check the intent and retry it',
            },
          }
        : {}),
    };
    this.#records.set(id, next);
    this.recompute();
    return next;
  }

  /** Drops the oldest settled records beyond `keep`; answers their ids. */
  prune(keep: number): string[] {
    const settled = this.#ordered().filter((r) => r.state === 'settled');
    const drop = settled.slice(0, Math.max(0, settled.length - keep)).map((r) => r.intent.id);
    for (const id of drop) this.#records.delete(id);
    if (drop.length) this.recompute();
    return drop;
  }

  setDelivery(delivery: Delivery, lastError: ApiFailure | null): void {
    this.#delivery = delivery;
    this.#lastError = lastError;
    this.#state = { ...this.#state, delivery, lastError };
  }

  /** A basis matching the current (optimistic) state of `intent`'s target, for a retry. */
  basisFor(intent: Intent): Basis | null {
    if (!intent.basis) return null;
    const overlay = this.#state.optimistic;
    switch (intent.type) {
      case 'decision.approve':
      case 'decision.resolve':
      case 'decision.defer':
      case 'decision.reopen': {
        const decision = overlay.decision(intent.args.decisionId);
        return decision ? { version: decision.version, status: decision.status } : null;
      }
      case 'thread.archive':
      case 'thread.restore': {
        const thread = overlay.thread(intent.args.threadId);
        return thread ? { status: thread.status } : null;
      }
      default:
        return null;
    }
  }

  recompute(): void {
    const ordered = this.#ordered();
    const pendingRecords = ordered.filter((r) => r.state === 'pending');
    const intents: Intent[] = [];
    for (const r of pendingRecords) {
      const parsed = parseIntent(r.intent);
      if (parsed.ok) intents.push(parsed.intent);
    }
    const actor = this.#actor();
    const optimistic = this.#preview(actor ?? ('' as UserId), this.#view(), intents, this.#now());
    const pending: PendingIntent[] = pendingRecords.map((r) => ({
      id: r.intent.id,
      intent: r.intent,
      queuedAt: r.queuedAt,
      attempts: r.attempts,
      lastError: r.lastError,
      prediction: optimistic.predictions.get(r.intent.id) ?? { status: 'unknown', missing: 'a valid intent' },
    }));
    const needsAttention: RejectedIntent[] = ordered
      .filter((r) => r.state === 'attention')
      .map((r) => {
        const v = r.verdict;
        const rejection =
          v?.status === 'rejected'
            ? v
            : { code: 'unknown', reason: 'no verdict recorded', remedy: 'retry or discard it' };
        return {
          id: r.intent.id,
          intent: r.intent,
          code: rejection.code,
          reason: rejection.reason,
          remedy: rejection.remedy,
          rolledBack: this.#rolledBack.get(r.intent.id) ?? null,
          verdict: r.verdict,
          at: r.settledAt ?? r.queuedAt,
        };
      });
    const settled: SettledIntent[] = ordered
      .filter(
        (r): r is OutboxRecord & { verdict: StoredVerdict } => r.state === 'settled' && r.verdict !== null,
      )
      .map((r) => ({
        id: r.intent.id,
        intent: r.intent,
        verdict: r.verdict,
        settledAt: r.settledAt ?? r.queuedAt,
      }));
    this.#state = {
      pending,
      needsAttention,
      settled,
      unreadable: [...this.#unreadable],
      delivery: this.#delivery,
      lastError: this.#lastError,
      optimistic: optimistic.overlay,
    };
  }

  #ordered(): OutboxRecord[] {
    return [...this.#records.values()].sort((a, b) => a.seq - b.seq);
  }
}
