import type { DocName } from '@caucus/schema';
import type { AppendEntry, DocStore, SnapshotEntry, StoredDoc } from './doc-store.js';

interface MemoryDoc {
  snapshot: { state: Uint8Array; upTo: number } | null;
  /** seq → update; kept unordered, sorted on load (appends are the hot path, loads are rare). */
  updates: Map<number, Uint8Array>;
  clients: Map<number, string>;
}

/**
 * The same semantics as `SqliteDocStore`, in memory: for fast tests of code that needs a store.
 * Bytes are copied in and out, like a database would, so no caller can alias stored data.
 */
export class MemoryDocStore implements DocStore {
  readonly #docs = new Map<DocName, MemoryDoc>();
  #closed = false;

  load(doc: DocName): Promise<StoredDoc> {
    return this.#run(() => {
      const stored = this.#docs.get(doc);
      const snapshotSeq = stored?.snapshot?.upTo ?? 0;
      const updates = [...(stored?.updates ?? [])]
        .filter(([seq]) => seq > snapshotSeq)
        .sort(([a], [b]) => a - b);
      return {
        snapshot: stored?.snapshot ? stored.snapshot.state.slice() : null,
        snapshotSeq,
        updates: updates.map(([, update]) => update.slice()),
        lastSeq: Math.max(snapshotSeq, updates.at(-1)?.[0] ?? 0),
        clients: new Map(stored?.clients),
      };
    });
  }

  append(entries: readonly AppendEntry[]): Promise<void> {
    return this.#run(() => {
      // Check the whole batch before touching anything, which is what makes it atomic.
      const seqsInBatch = new Set<string>();
      const clientsInBatch = new Set<string>();
      for (const { doc, seq, newClients } of entries) {
        const key = `${doc}\u0000${seq}`;
        if (this.#docs.get(doc)?.updates.has(seq) || seqsInBatch.has(key)) {
          throw new Error(`update ${seq} of ${doc} is already stored`);
        }
        seqsInBatch.add(key);
        for (const [clientId] of newClients ?? []) {
          const clientKey = `${doc}\u0000${clientId}`;
          if (this.#docs.get(doc)?.clients.has(clientId) || clientsInBatch.has(clientKey)) {
            throw new Error(`client ${clientId} of ${doc} is already bound`);
          }
          clientsInBatch.add(clientKey);
        }
      }
      for (const { doc, seq, update, newClients } of entries) {
        const stored = this.#docOrNew(doc);
        stored.updates.set(seq, update.slice());
        for (const [clientId, userId] of newClients ?? []) stored.clients.set(clientId, userId);
      }
    });
  }

  writeSnapshot({ doc, state, upTo }: SnapshotEntry): Promise<void> {
    return this.#run(() => {
      const stored = this.#docOrNew(doc);
      if (stored.snapshot && stored.snapshot.upTo > upTo) return;
      stored.snapshot = { state: state.slice(), upTo };
      for (const seq of stored.updates.keys()) if (seq <= upTo) stored.updates.delete(seq);
    });
  }

  listDocs(): Promise<DocName[]> {
    return this.#run(() =>
      [...this.#docs]
        .filter(([, stored]) => stored.snapshot !== null || stored.updates.size > 0)
        .map(([doc]) => doc)
        .sort(),
    );
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #docOrNew(doc: DocName): MemoryDoc {
    let stored = this.#docs.get(doc);
    if (!stored) {
      stored = { snapshot: null, updates: new Map(), clients: new Map() };
      this.#docs.set(doc, stored);
    }
    return stored;
  }

  /** Like the SQLite store: the work happens now, failures (including use after close) reject. */
  #run<T>(work: () => T): Promise<T> {
    // The executor runs synchronously, so the work happens now and a throw becomes a rejection.
    return new Promise<T>((resolve) => {
      if (this.#closed) throw new Error('MemoryDocStore is closed');
      resolve(work());
    });
  }
}
