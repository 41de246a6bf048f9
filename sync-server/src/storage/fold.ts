import * as Y from 'yjs';
import type { DocName } from '@caucus/schema';
import type { SnapshotEntry, StoredDoc } from './doc-store.js';

/**
 * The transaction origin of updates applied by {@link buildDoc}, so that `update` listeners (such
 * as the one that persists updates) can recognise stored history being replayed and ignore it.
 */
export const STORAGE_ORIGIN = Symbol('caucus.storage');

/**
 * Rebuilds a document from its stored history. Everything is applied in one transaction so that
 * Yjs integrates and merges structs once at the end instead of after every update; this stays
 * linear in the log, where `Y.mergeUpdates` over a long log is quadratic.
 */
export function buildDoc(stored: StoredDoc, doc: Y.Doc = new Y.Doc()): Y.Doc {
  doc.transact(() => {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot, STORAGE_ORIGIN);
    for (const update of stored.updates) Y.applyUpdate(doc, update, STORAGE_ORIGIN);
  }, STORAGE_ORIGIN);
  return doc;
}

/** The snapshot of `doc` as it stands, claiming to fold every update with seq ≤ `upTo`. */
export function foldToSnapshot(doc: Y.Doc, docName: DocName, upTo: number): SnapshotEntry {
  return { doc: docName, state: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc), upTo };
}
