/**
 * The intent outbox (DESIGN §4): intents are stored before anything else happens, sent in the
 * order they were made with their client-made ids (so a retry after a network error or a 5xx is
 * harmless: the server returns the stored verdict), and each verdict is kept with its intent and
 * delivered to subscribers. While intents wait, `current.optimistic` shows their predicted effect
 * (the shared policy over the synced server state); a rejection drops that effect and keeps the
 * intent in `needsAttention` with the server's code, reason and remedy.
 *
 * This module holds the queue itself (submit, retry, discard, reload from another tab); sending
 * is in `delivery.ts`, the ordering of store writes in `write-queue.ts`.
 */
import {
  newId,
  parseIntent,
  type Intent,
  type IntentId,
  type IntentInput,
  type IntentType,
  type UserId,
} from '@caucus/schema';
import { Delivery, type DeliveryOptions, type FlushReport } from './delivery.js';
import { EMPTY_VIEW, type GovernedView } from './governed-view.js';
import {
  IntentDiscarded,
  InvalidIntent,
  type OutboxState,
  type Submitted,
  type SubmitArgs,
  type VerdictEvent,
} from './outbox-types.js';
import { OutboxLedger } from './ledger.js';
import { decodeRecord, OUTBOX_FORMAT_VERSION, type OutboxRecord, type StoredVerdict } from './record.js';
import { WriteQueue } from './write-queue.js';

export type { FlushReport, SendIntents } from './delivery.js';

export interface OutboxOptions extends DeliveryOptions {
  /** Who is signed in; intents are queued as them and only their own are sent. */
  actor: () => UserId | null;
  /** The synced server state previews are computed over. */
  view?: () => GovernedView;
  now?: () => number;
}

export class Outbox {
  readonly #options: OutboxOptions;
  readonly #ledger: OutboxLedger;
  readonly #listeners = new Set<(state: OutboxState) => void>();
  readonly #verdictListeners = new Set<(event: VerdictEvent) => void>();
  readonly #waiters = new Map<string, { resolve: (v: StoredVerdict) => void; reject: (e: Error) => void }>();
  /** Writes to the store, in submission order. */
  readonly #writes = new WriteQueue();
  readonly #delivery: Delivery;

  private constructor(options: OutboxOptions, ledger: OutboxLedger) {
    this.#options = options;
    this.#ledger = ledger;
    this.#delivery = new Delivery(options, ledger, this.#writes, {
      changed: () => this.#changed(),
      deliver: (event) => this.#deliver(event),
    });
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    // The preview (the shared policy, `decide`) is a chunk of its own in the browser bundle, so a
    // page that only syncs documents never loads it; it is fetched while the store loads.
    const [rows, { preview }] = await Promise.all([options.store.load(), import('./preview.js')]);
    const ledger = new OutboxLedger(
      rows,
      options.view ?? (() => EMPTY_VIEW),
      options.actor,
      options.now ?? Date.now,
      preview,
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
    return this.#delivery.flush();
  }

  /** Sends in the background from now on, backing off after failures; {@link kick} retries at once. */
  start(): void {
    this.#delivery.start();
  }

  /** Retry now (the network came back, the user signed in again). */
  kick(): void {
    this.#delivery.kick();
  }

  async close(): Promise<void> {
    await this.#delivery.stop();
    await this.#writes.idle();
    await this.#options.store.close();
  }

  #deliver(event: VerdictEvent): void {
    this.#waiters.get(event.id)?.resolve(event.verdict);
    this.#waiters.delete(event.id);
    for (const listener of [...this.#verdictListeners]) listener(event);
  }

  #write<T>(task: () => Promise<T>): Promise<T> {
    return this.#writes.run(task);
  }

  #kick(): void {
    this.#delivery.wake();
  }

  #changed(): void {
    const state = this.#ledger.state;
    for (const listener of [...this.#listeners]) listener(state);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
