/**
 * One open document: its Y.Doc, its binding to the local store, its awareness and its status.
 * However many views open a document, there is one entry (see registry.ts); the sync session
 * drives its sync state, the entry keeps the bookkeeping both share.
 */
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import type { Access, DocName, DocRef } from '@caucus/schema';
import { ClientError } from '../errors.js';
import { reportListenerError, Store } from '../observable.js';
import { SERVER_ORIGIN } from '../origins.js';
import type { ClientStorage, DocBinding } from '../storage/types.js';

export interface DocStatus {
  /** Local changes the server has not yet durably stored (0: "all changes saved"). */
  unsynced: number;
  /** Caught up with the server since the document was last (re)subscribed. */
  synced: boolean;
  /** What the server lets this client do with the document; null until it said. */
  access: Exclude<Access, 'none'> | null;
  /** Why the server refused or ended this document's subscription, if it did. */
  denied: { code: number; reason: string } | null;
  /** Bumped whenever the document was replaced by the server's copy (after a refused change). */
  generation: number;
}

export { SERVER_ORIGIN } from '../origins.js';

const INITIAL: DocStatus = { unsynced: 0, synced: false, access: null, denied: null, generation: 0 };

/** A promise settled once, with a handler attached so an unawaited rejection is not reported. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class DocEntry {
  doc: Y.Doc;
  refs = 0;
  readonly status = new Store<DocStatus>(INITIAL);
  readonly whenLoaded: Promise<void>;
  readonly synced = deferred();
  /** Per client, the clock up to which the server is known to hold the document's content. */
  private confirmed = new Map<number, number>();
  /** Local deletions not yet acknowledged (a state vector cannot show them). */
  private deletesPending = false;
  private binding: DocBinding;
  private awarenessInstance: Awareness | null = null;
  private readonly changeListeners = new Set<(doc: Y.Doc) => void>();
  private readonly awarenessListeners = new Set<(awareness: Awareness) => void>();
  private readonly ackListeners = new Set<() => void>();
  /** Local updates of the current doc, for the sync session to send. */
  onLocalUpdate: ((update: Uint8Array) => void) | null = null;
  /** Every update of the current doc with its origin, except what the store loaded (for other tabs). */
  onUpdate: ((update: Uint8Array, origin: unknown) => void) | null = null;
  closed = false;
  /** The stored state is in the document. */
  loaded = false;

  constructor(
    readonly name: DocName,
    readonly ref: DocRef,
    private readonly storage: ClientStorage,
  ) {
    this.doc = new Y.Doc();
    // Bound first: what a store loads synchronously is neither a local edit nor news for other tabs.
    this.binding = storage.bind(name, this.doc);
    this.watch(this.doc);
    this.whenLoaded = this.binding.loaded.then(({ acked }) => {
      if (acked) this.confirm(Y.decodeStateVector(acked));
      this.loaded = true;
      this.recount();
    });
    this.whenLoaded.catch(() => undefined);
  }

  private watch(doc: Y.Doc): void {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (doc !== this.doc) return;
      if (origin !== SERVER_ORIGIN) this.onLocalUpdate?.(update);
      if (origin !== this.binding.origin) this.onUpdate?.(update, origin);
      for (const listener of [...this.changeListeners]) {
        try {
          listener(doc);
        } catch (err) {
          reportListenerError(err);
        }
      }
    });
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (doc !== this.doc) return;
      if (tr.origin === SERVER_ORIGIN) {
        // Content of a client that came from the server is the server's up to that clock.
        let advanced = false;
        for (const [client, clock] of tr.afterState)
          if (clock > (tr.beforeState.get(client) ?? 0) && clock > (this.confirmed.get(client) ?? 0)) {
            this.confirmed.set(client, clock);
            advanced = true;
          }
        if (advanced) this.binding.saveAcked(Y.encodeStateVector(this.confirmed));
      } else if (tr.deleteSet.clients.size > 0 && tr.origin !== this.binding.origin)
        this.deletesPending = true;
      this.recount();
    });
  }

  /** Merges a state vector the server acknowledged (a durable ack). */
  acknowledge(stateVector: Uint8Array): void {
    this.confirm(Y.decodeStateVector(stateVector));
    this.deletesPending = false;
    this.binding.saveAcked(Y.encodeStateVector(this.confirmed));
    this.recount();
    for (const listener of [...this.ackListeners]) listener();
  }

  /**
   * Called after each acknowledgement, even one that moved no clock (a deletion moves none): a
   * shared connection's leader passes each on to the other tabs.
   */
  onAcknowledged(listener: () => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  /** The state vector up to which the server is known to hold this document (for other tabs). */
  confirmedVector(): Uint8Array {
    return Y.encodeStateVector(this.confirmed);
  }

  private confirm(sv: Map<number, number>): void {
    for (const [client, clock] of sv)
      if (clock > (this.confirmed.get(client) ?? 0)) this.confirmed.set(client, clock);
  }

  /** Local changes not yet confirmed by the server, counted in Yjs clock ticks (characters, items). */
  unsynced(): number {
    let n = 0;
    for (const client of this.doc.store.clients.keys())
      n += Math.max(0, Y.getState(this.doc.store, client) - (this.confirmed.get(client) ?? 0));
    return n + (this.deletesPending ? 1 : 0);
  }

  private recount(): void {
    const unsynced = this.unsynced();
    if (unsynced !== this.status.current.unsynced) this.patch({ unsynced });
  }

  patch(part: Partial<DocStatus>): void {
    const current = this.status.current;
    const next = { ...current, ...part };
    if (
      next.unsynced !== current.unsynced ||
      next.synced !== current.synced ||
      next.access !== current.access ||
      next.denied !== current.denied ||
      next.generation !== current.generation
    )
      this.status.set(next);
  }

  markSynced(): void {
    this.patch({ synced: true, denied: null });
    this.synced.resolve();
  }

  deny(code: number, reason: string): void {
    this.patch({ synced: false, denied: { code, reason } });
    this.synced.reject(new ClientError('doc-refused', `the server refused ${this.name}: ${code} ${reason}`));
  }

  /** The awareness of this document, made on first use (most open documents never need one). */
  awareness(): Awareness {
    if (!this.awarenessInstance) {
      this.awarenessInstance = new Awareness(this.doc);
      for (const listener of this.awarenessListeners) listener(this.awarenessInstance);
    }
    return this.awarenessInstance;
  }

  get hasAwareness(): Awareness | null {
    return this.awarenessInstance;
  }

  /** Called with each awareness this entry makes (one now, a new one after every reset). */
  onAwareness(listener: (awareness: Awareness) => void): void {
    this.awarenessListeners.add(listener);
  }

  onChange(listener: (doc: Y.Doc) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Puts `fresh` (the server's copy) in place of the current document: stored instead of it, its
   * content all confirmed, views told. The old document is destroyed.
   */
  async replace(fresh: Y.Doc): Promise<void> {
    const old = this.doc;
    const hadAwareness = this.awarenessInstance !== null;
    this.awarenessInstance?.destroy();
    this.awarenessInstance = null;
    this.doc = fresh;
    this.watch(fresh);
    this.confirmed = Y.decodeStateVector(Y.encodeStateVector(fresh));
    this.deletesPending = false;
    await this.binding.clear().catch(() => undefined);
    if (this.closed) return;
    // Bound after the content arrived: the store keeps what the doc already holds.
    this.binding = this.storage.bind(this.name, fresh);
    this.binding.saveAcked(Y.encodeStateVector(fresh));
    this.patch({ generation: this.status.current.generation + 1, unsynced: this.unsynced() });
    if (hadAwareness) this.awareness();
    for (const listener of [...this.changeListeners]) listener(fresh);
    old.destroy();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.awarenessInstance?.destroy();
    this.awarenessInstance = null;
    this.onLocalUpdate = null;
    this.onUpdate = null;
    this.synced.reject(new ClientError('closed', `${this.name} was closed`));
    await this.binding.close();
    this.doc.destroy();
  }
}
