/**
 * What the DocStore contract's parts share: the store under test (reopened in place by the
 * persistence test) and the fixtures — entries whose bytes differ per document and seq, snapshots,
 * and a plain form of a loaded document that `toEqual` can compare.
 */
import type { DocName, ThreadId } from '@caucus/schema';
import { threadDoc } from '@caucus/schema';
import type { AppendEntry, DocStore, StoredDoc } from './doc-store.js';

/** The store a contract test runs against; `store` is replaced when the test reopens it. */
export interface DocStoreContext {
  store: DocStore;
  /** Closes `store` and opens the same storage again; only for stores that persist. */
  reopen: (() => Promise<DocStore>) | undefined;
}

export const AT_MS = 1_700_000_000_000;
// Deliberately not created in name order, so that listDocs has to sort.
export const DOC_B = threadDoc('bravo' as ThreadId);
export const DOC_A = threadDoc('alpha' as ThreadId);
export const DOC_C = threadDoc('charlie' as ThreadId);

/** Bytes that differ per document and seq and include 0x00 and 0xff, which must survive as-is. */
export function bytesOf(doc: DocName, seq: number): Uint8Array {
  return Uint8Array.of(doc.length, seq & 0xff, seq >> 8, 0x00, 0xff, ...new TextEncoder().encode(doc));
}

export function entry(doc: DocName, seq: number, extra: Partial<AppendEntry> = {}): AppendEntry {
  return { doc, seq, update: bytesOf(doc, seq), actor: 'user-1', at: AT_MS + seq, ...extra };
}

export function entries(doc: DocName, fromSeq: number, toSeq: number): AppendEntry[] {
  const out: AppendEntry[] = [];
  for (let seq = fromSeq; seq <= toSeq; seq++) out.push(entry(doc, seq));
  return out;
}

/** Plain number arrays, because a Buffer and a Uint8Array with the same bytes are not `toEqual`. */
export function plain(stored: StoredDoc) {
  return {
    snapshot: stored.snapshot ? Array.from(stored.snapshot) : null,
    snapshotSeq: stored.snapshotSeq,
    updates: stored.updates.map((update) => Array.from(update)),
    lastSeq: stored.lastSeq,
    clients: [...stored.clients].sort(([a], [b]) => a - b),
  };
}

export function expectedUpdates(doc: DocName, fromSeq: number, toSeq: number): number[][] {
  return entries(doc, fromSeq, toSeq).map((e) => Array.from(e.update));
}

export function snapshotOf(doc: DocName, upTo: number) {
  const state = Uint8Array.of(0x5a, upTo, 0x00, 0xff);
  return { doc, state, stateVector: Uint8Array.of(upTo), upTo };
}
