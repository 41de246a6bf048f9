/**
 * Delivery of the outbox's intents (DESIGN §4): sending what waits, batch by batch in the order it
 * was made, recording each verdict with its intent, and in the background retrying after a failure
 * with backoff (or the server's `Retry-After`) until the server answers. A refusal of the
 * credentials pauses delivery until {@link Delivery.kick}.
 */
import { MAX_INTENTS_PER_BATCH, type IntentInput } from '@caucus/schema';
import type { ApiFailure, ApiResult } from '../api/result.js';
import { isRetryable } from '../api/result.js';
import type { IntentResultAnswer } from '../api/shapes.js';
import { backoffMs } from './backoff.js';
import type { OutboxLedger } from './ledger.js';
import { DEFAULT_KEEP_SETTLED, type VerdictEvent } from './outbox-types.js';
import type { OutboxRecord, StoredVerdict } from './record.js';
import type { OutboxStore } from './store.js';
import type { WriteQueue } from './write-queue.js';

export type SendIntents = (intents: IntentInput[]) => Promise<ApiResult<{ results: IntentResultAnswer[] }>>;

/** What delivery is configured by (part of the outbox's options). */
export interface DeliveryOptions {
  store: OutboxStore;
  send: SendIntents;
  keepSettled?: number;
  random?: () => number;
  /**
   * Whether this outbox sends (default: always). Tabs that share one connection share one store
   * too, and only the leading tab sends; the others learn the verdicts by `Outbox.reload`.
   */
  delivers?: () => boolean;
}

export interface FlushReport {
  /** Verdicts received during this flush. */
  verdicts: VerdictEvent[];
  /** Intents still waiting (the server could not be reached, or refused the credentials). */
  remaining: number;
  error: ApiFailure | null;
}

/** What delivery tells the outbox: its state changed, a verdict arrived. */
export interface DeliveryHooks {
  changed: () => void;
  deliver: (event: VerdictEvent) => void;
}

export class Delivery {
  readonly #options: DeliveryOptions;
  readonly #ledger: OutboxLedger;
  readonly #writes: WriteQueue;
  readonly #hooks: DeliveryHooks;
  #sending: Promise<FlushReport> | null = null;
  #running = false;
  #wake: (() => void) | null = null;
  #attempt = 0;

  constructor(options: DeliveryOptions, ledger: OutboxLedger, writes: WriteQueue, hooks: DeliveryHooks) {
    this.#options = options;
    this.#ledger = ledger;
    this.#writes = writes;
    this.#hooks = hooks;
  }

  /** Sends everything waiting now, batch by batch, stopping at the first failure without a verdict. */
  flush(): Promise<FlushReport> {
    if (this.#options.delivers?.() === false)
      return Promise.resolve({ verdicts: [], remaining: this.#ledger.sendable().length, error: null });
    this.#sending ??= this.#flush().finally(() => {
      this.#sending = null;
    });
    return this.#sending;
  }

  /** Sends in the background from now on, backing off after failures. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  /** Retry now, with the backoff reset and a refusal of the credentials forgotten. */
  kick(): void {
    this.#attempt = 0;
    if (this.#ledger.state.delivery === 'auth-required') this.#ledger.setDelivery('idle', null);
    this.wake();
  }

  /** Wakes the background loop if it waits (for intents, or out a backoff). */
  wake(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Stops the background loop and waits for a send under way. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#sending;
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const idle = this.#ledger.sendable().length === 0 || this.#options.delivers?.() === false;
      if (idle || this.#ledger.state.delivery === 'auth-required') {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const report = await this.flush();
      if (!report.error || !isRetryable(report.error)) continue;
      const wait = report.error.retryAfterSeconds
        ? report.error.retryAfterSeconds * 1000
        : backoffMs(this.#attempt++, this.#options.random);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async #flush(): Promise<FlushReport> {
    await this.#writes.idle();
    const verdicts: VerdictEvent[] = [];
    for (;;) {
      const batch = this.#ledger.sendable().slice(0, MAX_INTENTS_PER_BATCH);
      if (batch.length === 0) return { verdicts, remaining: 0, error: null };
      this.#ledger.setDelivery('sending', this.#ledger.state.lastError);
      this.#hooks.changed();
      const res = await this.#options.send(batch.map((r) => r.intent));
      if (!res.ok) {
        await this.#failed(batch, res.error);
        return { verdicts, remaining: this.#ledger.sendable().length, error: res.error };
      }
      this.#attempt = 0;
      await this.#writes.run(async () => {
        for (const [i, record] of batch.entries()) {
          const answer = res.value.results.find((r) => r.id === record.intent.id) ?? res.value.results[i];
          if (!answer) continue;
          const event = this.#ledger.settle(record.intent.id, verdictOf(answer));
          if (!event) continue;
          const updated = this.#ledger.get(record.intent.id);
          if (updated) await this.#options.store.update(updated);
          verdicts.push(event);
          this.#hooks.deliver(event);
        }
        for (const id of this.#ledger.prune(this.#options.keepSettled ?? DEFAULT_KEEP_SETTLED)) {
          await this.#options.store.delete(id);
        }
      });
      this.#ledger.setDelivery('idle', null);
      this.#hooks.changed();
    }
  }

  async #failed(batch: OutboxRecord[], error: ApiFailure): Promise<void> {
    await this.#writes.run(async () => {
      const final = !isRetryable(error) && error.code !== 'auth-required';
      for (const record of batch) {
        const updated = this.#ledger.failed(record.intent.id, error, final);
        if (updated) await this.#options.store.update(updated);
      }
    });
    this.#ledger.setDelivery(
      error.code === 'auth-required' ? 'auth-required' : isRetryable(error) ? 'waiting' : 'idle',
      error,
    );
    this.#hooks.changed();
  }
}

function verdictOf(answer: IntentResultAnswer): StoredVerdict {
  const { id: _id, ...verdict } = answer;
  return verdict as StoredVerdict;
}
