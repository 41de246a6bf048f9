/**
 * Browser storage: y-indexeddb (one IndexedDB database per document) with its known faults
 * handled —
 * - #31, a document grows on every page load even when only read: compacted to one record on load
 *   (by our own transaction, see `compact`);
 * - #25, two instances on one document write everything twice: one instance per document per
 *   tab (a second bind of the same document in this tab is refused);
 * - #44, Safari drops the IndexedDB connection and later writes throw: the instance is replaced by
 *   a fresh one, which stores the document's whole state, so nothing is lost; a load that never
 *   finishes does not hold the page (the document works from the network meanwhile).
 * Refused changes and meta values live in one more database, `<namespace>`.
 *
 * Tested in Chromium (tests/client/browser/indexeddb.test.ts), not in Node: an IndexedDB
 * stand-in would prove nothing about IndexedDB.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb';
import type { RefusedChange } from '../docs/refused.js';
import { ClientError } from '../errors.js';
import { idbFactory, KeyValueDb } from './idb.js';
import { COMPACT_ON_LOAD_RECORDS, type ClientStorage, type DocBinding, type LoadedDoc } from './types.js';

export interface IndexedDbStorageOptions {
  /** Prefix of the databases (`<namespace>:<doc>`), e.g. one per server. Default `caucus`. */
  namespace?: string;
}

/** A load that has not finished after this long is given up on; the document goes on without it (ms). */
const LOAD_TIMEOUT_MS = 3000;
/** Reopening a lost connection waits at least this long since the last reopen (ms). */
const REOPEN_MIN_INTERVAL_MS = 1000;
/** The `custom` store key of the acknowledged state vector. */
const ACKED_KEY = 'caucus:acked';

/** Documents bound in this tab, by database name (#25). */
const boundInTab = new Set<string>();

export function indexedDbStorage(options: IndexedDbStorageOptions = {}): ClientStorage {
  const factory = idbFactory();
  if (!factory) throw new ClientError('storage-failed', 'IndexedDB is not available here');
  const namespace = options.namespace ?? 'caucus';
  const kv = new KeyValueDb(factory, namespace, ['refused', 'meta']);
  return {
    kind: 'indexeddb',
    bind(name, doc) {
      const dbName = `${namespace}:${name}`;
      if (boundInTab.has(dbName))
        throw new ClientError(
          'doc-already-open',
          `${name} is already open in this tab through another client`,
        );
      return new IdbBinding(dbName, doc);
    },
    refused: {
      list: async () =>
        ((await kv.run('refused', 'readonly', (s) => s.getAll())) as RefusedChange[]).sort(
          (a, b) => a.at - b.at,
        ),
      put: async (change) => void (await kv.run('refused', 'readwrite', (s) => s.put(change, change.id))),
      remove: async (id) => void (await kv.run('refused', 'readwrite', (s) => s.delete(id))),
    },
    meta: {
      get: async (key) => {
        const value = await kv.run('meta', 'readonly', (s) => s.get(key));
        return typeof value === 'string' ? value : null;
      },
      set: async (key, value) =>
        void (await kv.run('meta', 'readwrite', (s) => (value === null ? s.delete(key) : s.put(value, key)))),
    },
    docNames: async () => {
      const prefix = `${namespace}:`;
      const all = (await factory.databases?.()) ?? [];
      return all.flatMap((d) => (d.name?.startsWith(prefix) ? [d.name.slice(prefix.length)] : []));
    },
    close: () => kv.close(),
  };
}

interface UpdatesTx {
  objectStore(name: 'updates'): {
    getAll(): { result: Uint8Array[]; onsuccess: (() => void) | null };
    clear(): unknown;
    add(value: Uint8Array): unknown;
  };
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  error: unknown;
}

/**
 * Folds the stored records of a loaded document into one (y-indexeddb #31: every load appends a
 * record, and so does every update received, so a document that is only read grows without end;
 * y-indexeddb's own trim waits for 500 records and, in 9.0.12, reads its record count before it
 * is known). One transaction reads every record, applies any this tab has not seen (another tab
 * may have written since the load), and replaces them all by the document's state. Resolves with
 * the number of records there were.
 */
function compact(persistence: IndexeddbPersistence): Promise<number> {
  const db = persistence.db as unknown as { transaction(s: string[], m: 'readwrite'): UpdatesTx } | null;
  if (!db) return Promise.resolve(0);
  return new Promise<number>((resolve, reject) => {
    const tx = db.transaction(['updates'], 'readwrite');
    const store = tx.objectStore('updates');
    const all = store.getAll();
    let count = 0;
    all.onsuccess = () => {
      count = all.result.length;
      if (count <= COMPACT_ON_LOAD_RECORDS) return;
      Y.transact(
        persistence.doc,
        () => all.result.forEach((u) => Y.applyUpdate(persistence.doc, u)),
        persistence,
        false,
      );
      store.clear();
      store.add(Y.encodeStateAsUpdate(persistence.doc));
    };
    tx.oncomplete = () => resolve(count);
    tx.onerror = tx.onabort = () =>
      reject(tx.error instanceof Error ? tx.error : new Error('compaction failed'));
  });
}

interface DbHandle {
  onclose: (() => void) | null;
  onversionchange: (() => void) | null;
  close(): void;
}

class IdbBinding implements DocBinding {
  readonly loaded: Promise<LoadedDoc>;
  private persistence: IndexeddbPersistence;
  private closed = false;
  private reopenedAt = 0;
  private readonly guarded = (update: Uint8Array, origin: unknown) => {
    try {
      this.persistence._storeUpdate(update, origin);
    } catch {
      // The connection is gone (Safari): a new instance stores the whole state, this update included.
      this.reopen();
    }
  };

  constructor(
    private readonly dbName: string,
    private readonly doc: Y.Doc,
  ) {
    boundInTab.add(dbName);
    this.persistence = this.start();
    this.loaded = this.load();
  }

  get origin(): unknown {
    return this.persistence;
  }

  private start(): IndexeddbPersistence {
    const persistence = new IndexeddbPersistence(this.dbName, this.doc);
    // Its own handler would throw inside Yjs's event emission when the connection is closed.
    this.doc.off('update', persistence._storeUpdate);
    this.doc.on('update', this.guarded);
    void (persistence._db as Promise<unknown>).then(
      (db) => {
        const handle = db as DbHandle;
        handle.onclose = () => this.reopen();
        handle.onversionchange = () => {
          handle.close();
          this.reopen();
        };
      },
      () => this.reopen(),
    );
    return persistence;
  }

  private async load(): Promise<LoadedDoc> {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), LOAD_TIMEOUT_MS));
    const synced = await Promise.race([this.persistence.whenSynced, timeout]);
    if (!synced) return { acked: null, records: 0 };
    const records = await compact(synced).catch(() => 0);
    const acked: unknown = await synced.get(ACKED_KEY).catch(() => null);
    return { acked: acked instanceof ArrayBuffer ? new Uint8Array(acked) : null, records };
  }

  private reopen(): void {
    if (this.closed) return;
    const wait = this.reopenedAt + REOPEN_MIN_INTERVAL_MS - Date.now();
    if (wait > 0) return void setTimeout(() => this.reopen(), wait);
    this.reopenedAt = Date.now();
    this.doc.off('update', this.guarded);
    void this.persistence.destroy().catch(() => undefined);
    this.persistence = this.start();
  }

  saveAcked(stateVector: Uint8Array): void {
    if (this.closed) return;
    this.persistence.set(ACKED_KEY, stateVector.slice().buffer).catch(() => this.reopen());
  }

  async clear(): Promise<void> {
    await this.close();
    await clearDocument(this.dbName).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    boundInTab.delete(this.dbName);
    this.doc.off('update', this.guarded);
    // A reopened instance stores the document's state once it has loaded; destroyed before, it never would.
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, LOAD_TIMEOUT_MS));
    await Promise.race([this.persistence.whenSynced, timeout]);
    await this.persistence.destroy().catch(() => undefined);
  }
}
