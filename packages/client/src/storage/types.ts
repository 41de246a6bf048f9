/**
 * The client's local store, behind one small interface with one contract suite
 * (storage/contract.ts) run against every implementation: memory (tests, ephemeral scripts),
 * IndexedDB (browsers, through y-indexeddb) and SQLite (Node, a state dir).
 *
 * A document is stored as its Yjs updates (compacted into one state when loaded), together with
 * the state vector the server last acknowledged, so a client restarted offline knows both what it
 * has and what the server still lacks.
 */
import type * as Y from 'yjs';
import type { RefusedChange } from '../docs/refused.js';

export type StorageKind = 'memory' | 'indexeddb' | 'sqlite';

export interface ClientStorage {
  readonly kind: StorageKind;
  /**
   * Loads what is stored under `name` into `doc`, then stores every update of `doc` until the
   * binding is closed; content `doc` already had is stored too. One binding per document at a
   * time (the registry guarantees it).
   */
  bind(name: string, doc: Y.Doc): DocBinding;
  /** Changes the server refused, kept until the user exports or discards them. */
  readonly refused: RefusedStore;
  /** Small named values: the server's origin, the user, what other parts of the client keep. */
  readonly meta: MetaStore;
  /** Names of the documents stored. */
  docNames(): Promise<string[]>;
  /** Writes what is pending and releases the store. */
  close(): Promise<void>;
}

export interface DocBinding {
  /** The origin of the transactions that apply what was loaded (not a local edit). */
  readonly origin: unknown;
  /** Resolves once the stored state is in the document, with the last acknowledged state vector. */
  readonly loaded: Promise<LoadedDoc>;
  /** Remembers the server's acknowledged state vector of the document. */
  saveAcked(stateVector: Uint8Array): void;
  /** Removes everything stored for the document and stops storing (a reset binds a fresh doc). */
  clear(): Promise<void>;
  /** Stops storing; what was stored stays. */
  close(): Promise<void>;
}

export interface LoadedDoc {
  /** The state vector the server last acknowledged, or null when it never did. */
  acked: Uint8Array | null;
  /** How many stored records were loaded (before compaction). */
  records: number;
}

export interface RefusedStore {
  list(): Promise<RefusedChange[]>;
  put(change: RefusedChange): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface MetaStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string | null): Promise<void>;
}

/** A document with more stored records than this is compacted into one when it is loaded. */
export const COMPACT_ON_LOAD_RECORDS = 1;
/** While bound, a document is compacted after this many stored updates. */
export const COMPACT_EVERY_UPDATES = 500;

/** Whether a document holds anything (items or deletions) worth storing. */
export function hasContent(doc: Y.Doc): boolean {
  return doc.store.clients.size > 0;
}
