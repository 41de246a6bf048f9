/**
 * The intent outbox (DESIGN §4): intents are stored before anything else happens, sent in the
 * order they were made with their client-made ids (so a retry after a network error or a 5xx is
 * harmless: the server returns the stored verdict), and each verdict is kept with its intent and
 * delivered to subscribers. While intents wait, `current.optimistic` shows their predicted effect
 * (the shared policy over the synced server state); a rejection drops that effect and keeps the
 * intent in `needsAttention` with the server's code, reason and remedy.
 */
import {
  MAX_INTENTS_PER_BATCH,
  newId,
  parseIntent,
  type Intent,
  type IntentId,
  type IntentInput,
  type IntentType,
  type UserId,
} from '@caucus/schema';
import type { ApiFailure, ApiResult } from '../api/result.js';
import { isRetryable } from '../api/result.js';
import type { IntentResultAnswer } from '../api/shapes.js';
import { backoffMs } from './backoff.js';
import { EMPTY_VIEW, type GovernedView } from './governed-view.js';
import {
  DEFAULT_KEEP_SETTLED,
  IntentDiscarded,
  InvalidIntent,
  type OutboxState,
  type Submitted,
  type SubmitArgs,
  type VerdictEvent,
} from './outbox-types.js';
import { OutboxLedger } from './ledger.js';
import { decodeRecord, OUTBOX_FORMAT_VERSION, type OutboxRecord, type StoredVerdict } from './record.js';
import type { OutboxStore } from './store.js';

export type SendIntents = (intents: IntentInput[]) => Promise<ApiResult<{ results: IntentResultAnswer[] }>>;

export interface OutboxOptions {
  store: OutboxStore;
  send: SendIntents;
  /** Who is signed in; intents are queued as them and only their own are sent. */
  actor: () => UserId | null;
  /** The synced server state previews are computed over. */
  view?: () => GovernedView;
  now?: () => number;
  keepSettled?: number;
  random?: () => number;
  /**
   * Whether this outbox sends (default: always). Tabs that share one connection share one store
   * too, and only the leading tab sends; the others learn the verdicts by {@link Outbox.reload}.
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

export class Outbox {
  readonly #options: OutboxOptions;
  readonly #ledger: OutboxLedger;
  readonly #listeners = new Set<(state: OutboxState) => void>();
  readonly #verdictListeners = new Set<(event: VerdictEvent) => void>();
  readonly #waiters = new Map<string, { resolve: (v: StoredVerdict) => void; reject: (e: Error) => void }>();
  /** Writes to the store, in submission order. */
  #writes: Promise<unknown> = Promise.resolve();
  #sending: Promise<FlushReport> | null = null;
  #running = false;
  #wake: (() => void) | null = null;
  #attempt = 0;

  private constructor(options: OutboxOptions, ledger: OutboxLedger) {
    this.#options = options;
    this.#ledger = ledger;
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    const ledger = new OutboxLedger(
      await options.store.load(),
      options.view ?? (() => EMPTY_VIEW),
      options.actor,
      options.now ?? Date.now,
    );
    return new Outbox(options, ledger);
  }

  get current(): OutboxState {
    return this.#ledger.state;
  }

  /** Who intents are queued as now (null until the client knows who is signed in). */
  get actor(): UserId | null {
    return this.#options.actor();
  }

  subscribe(listener: (state: OutboxState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onVerdict(listener: (event: VerdictEvent) => void): () => void {
    this.#verdictListeners.add(listener);
    return () => this.#verdictListeners.delete(listener);
  }

  /** Queues an intent; throws {@link InvalidIntent} for arguments the server would refuse as malformed. */
  submit<T extends IntentType>(...[type, args, options = {}]: SubmitArgs<T>): Submitted {
    const id = options.id ?? newId<IntentId>(this.#now());
    const input = { id, type, args, ...(options.basis ? { basis: options.basis } : {}) } as IntentInput & {
      id: IntentId;
    };
    const parsed = parseIntent(input);
    if (!parsed.ok) throw new InvalidIntent(`${type}: ${parsed.message}`);
    const verdict = new Promise<StoredVerdict>((resolve, reject) =>
      this.#waiters.set(id, { resolve, reject }),
    );
    verdict.catch(() => undefined);
    const record: Omit<OutboxRecord, 'seq'> = {
      v: OUTBOX_FORMAT_VERSION,
      intent: input,
      actor: this.#options.actor(),
      queuedAt: this.#now(),
      state: 'pending',
      attempts: 0,
      lastError: null,
      verdict: null,
      settledAt: null,
    };
    const queued = this.#write(async () => {
      const seq = await this.#options.store.add(record);
      this.#ledger.put({ ...record, seq });
      this.#changed();
      this.#kick();
    });
    return { id, queued, verdict };
  }

  /** Sends a rejected intent again as a new intent (a new id: the old one's verdict is final). */
  async retry(id: IntentId): Promise<Submitted | null> {
    const record = this.#ledger.get(id);
    if (!record || record.state !== 'attention') return null;
    await this.discard(id);
    const { type, args, basis } = record.intent;
    const fresh = this.#ledger.basisFor(record.intent as Intent) ?? basis;
    const submitted = this.submit(type, args, fresh ? { basis: fresh } : {});
    await submitted.queued;
    return submitted;
  }

  /** Forgets an intent that is waiting or needs attention; its verdict promise rejects. */
  discard(id: IntentId | string): Promise<void> {
    return this.#write(async () => {
      await this.#options.store.delete(id);
      this.#forget(id);
      this.#changed();
    });
  }

  #forget(id: string): void {
    this.#ledger.delete(id);
    this.#waiters.get(id)?.reject(new IntentDiscarded(`intent ${id} was discarded`));
    this.#waiters.delete(id);
  }

  /** Recomputes the previews (call when the documents they read from changed). */
  refresh(): void {
    this.#ledger.recompute();
    this.#changed();
  }

  /**
   * Reads the store again for what another tab changed: intents it queued, verdicts it received,
   * records it discarded or pruned. A verdict for one of this tab's intents is delivered here.
   */
  reload(): Promise<void> {
    return this.#write(async () => {
      const stored = new Map<IntentId, OutboxRecord>();
      for (const row of await this.#options.store.load()) {
        const decoded = decodeRecord(row);
        if (decoded.ok) stored.set(decoded.record.intent.id, decoded.record);
      }
      for (const [id, record] of stored) {
        const mine = this.#ledger.get(id);
        // Only news: an intent this tab has not seen, or a verdict for one still pending here.
        if (mine && (mine.state !== 'pending' || record.state === 'pending')) continue;
        this.#ledger.put(record);
        if (mine && record.verdict)
          this.#deliver({ id, intent: record.intent, verdict: record.verdict, rolledBack: null });
      }
      for (const { id } of this.#ledger.state.pending) if (!stored.has(id)) this.#forget(id);
      this.#changed();
      this.#kick();
    });
  }

  /**
   * Sends everything waiting now, batch by batch, stopping at the first failure without a verdict.
   * Where another tab sends ({@link OutboxOptions.delivers}), sends nothing.
   */
  flush(): Promise<FlushReport> {
    if (this.#options.delivers?.() === false)
      return Promise.resolve({ verdicts: [], remaining: this.#ledger.sendable().length, error: null });
    this.#sending ??= this.#flush().finally(() => {
      this.#sending = null;
    });
    return this.#sending;
  }

  /** Sends in the background from now on, backing off after failures; {@link kick} retries at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  /** Retry now (the network came back, the user signed in again). */
  kick(): void {
    this.#attempt = 0;
    if (this.#ledger.state.delivery === 'auth-required') this.#ledger.setDelivery('idle', null);
    this.#kick();
  }

  async close(): Promise<void> {
    this.#running = false;
    this.#kick();
    await this.#sending;
    await this.#writes;
    await this.#options.store.close();
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
    await this.#writes;
    const verdicts: VerdictEvent[] = [];
    for (;;) {
      const batch = this.#ledger.sendable().slice(0, MAX_INTENTS_PER_BATCH);
      if (batch.length === 0) return { verdicts, remaining: 0, error: null };
      this.#ledger.setDelivery('sending', this.#ledger.state.lastError);
      this.#changed();
      const res = await this.#options.send(batch.map((r) => r.intent));
      if (!res.ok) {
        await this.#failed(batch, res.error);
        return { verdicts, remaining: this.#ledger.sendable().length, error: res.error };
      }
      this.#attempt = 0;
      await this.#write(async () => {
        for (const [i, record] of batch.entries()) {
          const answer = res.value.results.find((r) => r.id === record.intent.id) ?? res.value.results[i];
          if (!answer) continue;
          const event = this.#ledger.settle(record.intent.id, verdictOf(answer));
          if (!event) continue;
          const updated = this.#ledger.get(record.intent.id);
          if (updated) await this.#options.store.update(updated);
          verdicts.push(event);
          this.#deliver(event);
        }
        for (const id of this.#ledger.prune(this.#options.keepSettled ?? DEFAULT_KEEP_SETTLED)) {
          await this.#options.store.delete(id);
        }
      });
      this.#ledger.setDelivery('idle', null);
      this.#changed();
    }
  }

  async #failed(batch: OutboxRecord[], error: ApiFailure): Promise<void> {
    await this.#write(async () => {
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
    this.#changed();
  }

  #deliver(event: VerdictEvent): void {
    this.#waiters.get(event.id)?.resolve(event.verdict);
    this.#waiters.delete(event.id);
    for (const listener of [...this.#verdictListeners]) listener(event);
  }

  #write<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#writes.then(task, task);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  #kick(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #changed(): void {
    const state = this.#ledger.state;
    for (const listener of [...this.#listeners]) listener(state);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

function verdictOf(answer: IntentResultAnswer): StoredVerdict {
  const { id: _id, ...verdict } = answer;
  return verdict as StoredVerdict;
}
