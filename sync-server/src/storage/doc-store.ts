import type { DocName } from '@caucus/schema';

/** What a document's stored history looks like when it is loaded. */
export interface StoredDoc {
  /** The folded state up to `snapshotSeq`, or null when the document was never compacted. */
  snapshot: Uint8Array | null;
  /** Seq of the last update folded into `snapshot` (0 without one). */
  snapshotSeq: number;
  /** Updates after the snapshot, in seq order. */
  updates: Uint8Array[];
  /** The highest seq stored (snapshotSeq when there are no updates after it). */
  lastSeq: number;
  /** Yjs clientID → user id bindings of this document: a map of its own per load (the room adopts it). */
  clients: Map<number, string>;
}

export interface AppendEntry {
  doc: DocName;
  /** Must be the document's previous lastSeq + 1, and so on for several entries of one doc. */
  seq: number;
  update: Uint8Array;
  /** User id, or `server`. */
  actor: string;
  at: number;
  /** Client bindings first made by this update; stored in the same transaction. */
  newClients?: ReadonlyArray<readonly [clientId: number, userId: string]>;
}

export interface SnapshotEntry {
  doc: DocName;
  state: Uint8Array;
  stateVector: Uint8Array;
  /** The snapshot folds every update with seq ≤ upTo; those are deleted from the log. */
  upTo: number;
}

/**
 * Where documents live. Implementations: SQLite (the real one) and in-memory; PostgreSQL later.
 * Every implementation passes `runDocStoreContract`. Methods are async so that a networked
 * database fits the same interface; the SQLite one finishes synchronously.
 */
export interface DocStore {
  load(doc: DocName): Promise<StoredDoc>;
  /** Appends entries atomically: all of them are durable when the promise resolves, or none. */
  append(entries: readonly AppendEntry[]): Promise<void>;
  /** Writes a snapshot and drops the updates it folds, atomically. */
  writeSnapshot(entry: SnapshotEntry): Promise<void>;
  /** Names of every stored document, in name order (for rebuilds and admin tasks). */
  listDocs(): Promise<DocName[]>;
  close(): Promise<void>;
}
