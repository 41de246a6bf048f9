/**
 * The client's status as one plain value (`current` + `subscribe()`): the connection, unsynced
 * changes per document and in all, the refused list, and what the outbox reports. Recomputed
 * lazily and announced at most once per microtask, however many documents changed.
 */
import type { DocStatus } from './docs/entry.js';
import type { RefusedChange } from './docs/refused.js';
import { reportListenerError, type Observable } from './observable.js';
import type { ConnectionProblem, ConnectionState } from './sync/connection.js';

/** An intent the server rejected, waiting for the user to retry or discard it (the outbox's). */
export interface IntentProblem {
  id: string;
  type: string;
  code: string;
  reason: string;
  remedy?: string;
}

export interface ClientProblem {
  code: ConnectionProblem['code'] | 'state-dir-mismatch';
  message: string;
}

export interface ClientStatus {
  connection: ConnectionState;
  /** Why the client is not connecting, when it stopped (sign in again, wrong state dir). */
  problem: ClientProblem | null;
  /** Unsynced local changes over all open documents. */
  unsynced: number;
  docs: ReadonlyMap<string, DocStatus>;
  /** Intents queued in the outbox (0 until an outbox is attached). */
  outbox: number;
  needsAttention: readonly IntentProblem[];
  refused: readonly RefusedChange[];
}

export interface OutboxStatus {
  outbox: number;
  needsAttention: readonly IntentProblem[];
}

export interface StatusSources {
  connection(): { state: ConnectionState; problem: ClientProblem | null };
  docs(): Iterable<[string, DocStatus]>;
  refused(): readonly RefusedChange[];
  outbox(): OutboxStatus;
}

export class ClientStatusStore implements Observable<ClientStatus> {
  private cached: ClientStatus | null = null;
  private queued = false;
  private readonly listeners = new Set<(value: ClientStatus) => void>();

  constructor(private readonly sources: StatusSources) {}

  get current(): ClientStatus {
    if (!this.cached) {
      const { state, problem } = this.sources.connection();
      const docs = new Map(this.sources.docs());
      let unsynced = 0;
      for (const s of docs.values()) unsynced += s.unsynced;
      this.cached = {
        connection: state,
        problem,
        unsynced,
        docs,
        ...this.sources.outbox(),
        refused: this.sources.refused(),
      };
    }
    return this.cached;
  }

  /** Something changed: recompute on the next read, tell listeners once this microtask ends. */
  invalidate(): void {
    this.cached = null;
    if (this.queued || this.listeners.size === 0) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      const value = this.current;
      for (const listener of [...this.listeners]) {
        try {
          listener(value);
        } catch (err) {
          reportListenerError(err);
        }
      }
    });
  }

  subscribe(listener: (value: ClientStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
