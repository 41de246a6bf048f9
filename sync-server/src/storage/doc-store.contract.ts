import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { threadDoc, type DocName, type ThreadId } from '@caucus/schema';
import type { AppendEntry, DocStore, StoredDoc } from './doc-store.js';

export interface DocStoreUnderTest {
  store: DocStore;
  /** Closes `store` and opens the same storage again; only for stores that persist. */
  reopen?: () => Promise<DocStore>;
}

const AT_MS = 1_700_000_000_000;
// Deliberately not created in name order, so that listDocs has to sort.
const DOC_B = threadDoc('bravo' as ThreadId);
const DOC_A = threadDoc('alpha' as ThreadId);
const DOC_C = threadDoc('charlie' as ThreadId);

/** Bytes that differ per document and seq and include 0x00 and 0xff, which must survive as-is. */
function bytesOf(doc: DocName, seq: number): Uint8Array {
  return Uint8Array.of(doc.length, seq & 0xff, seq >> 8, 0x00, 0xff, ...new TextEncoder().encode(doc));
}

function entry(doc: DocName, seq: number, extra: Partial<AppendEntry> = {}): AppendEntry {
  return { doc, seq, update: bytesOf(doc, seq), actor: 'user-1', at: AT_MS + seq, ...extra };
}

function entries(doc: DocName, fromSeq: number, toSeq: number): AppendEntry[] {
  const out: AppendEntry[] = [];
  for (let seq = fromSeq; seq <= toSeq; seq++) out.push(entry(doc, seq));
  return out;
}

/** Plain number arrays, because a Buffer and a Uint8Array with the same bytes are not `toEqual`. */
function plain(stored: StoredDoc) {
  return {
    snapshot: stored.snapshot ? Array.from(stored.snapshot) : null,
    snapshotSeq: stored.snapshotSeq,
    updates: stored.updates.map((update) => Array.from(update)),
    lastSeq: stored.lastSeq,
    clients: [...stored.clients].sort(([a], [b]) => a - b),
  };
}

function expectedUpdates(doc: DocName, fromSeq: number, toSeq: number): number[][] {
  return entries(doc, fromSeq, toSeq).map((e) => Array.from(e.update));
}

function snapshotOf(doc: DocName, upTo: number) {
  const state = Uint8Array.of(0x5a, upTo, 0x00, 0xff);
  return { doc, state, stateVector: Uint8Array.of(upTo), upTo };
}

/** The behaviour every `DocStore` must have; call it from each implementation's test file. */
export function runDocStoreContract(
  name: string,
  factory: () => Promise<DocStoreUnderTest>,
  { persistent = false }: { persistent?: boolean } = {},
): void {
  describe(`DocStore contract: ${name}`, () => {
    let store: DocStore;
    let reopen: (() => Promise<DocStore>) | undefined;

    beforeEach(async () => {
      ({ store, reopen } = await factory());
    });

    afterEach(async () => {
      await store.close();
    });

    it('loads an unknown document as empty', async () => {
      expect(plain(await store.load(DOC_A))).toEqual({
        snapshot: null,
        snapshotSeq: 0,
        updates: [],
        lastSeq: 0,
        clients: [],
      });
      expect(await store.listDocs()).toEqual([]);
    });

    it('loads what was appended', async () => {
      await store.append(entries(DOC_A, 1, 3));
      expect(plain(await store.load(DOC_A))).toEqual({
        snapshot: null,
        snapshotSeq: 0,
        updates: expectedUpdates(DOC_A, 1, 3),
        lastSeq: 3,
        clients: [],
      });
    });

    it('treats an empty batch as a no-op', async () => {
      await store.append([]);
      expect(await store.listDocs()).toEqual([]);
    });

    it('keeps several documents of one batch apart', async () => {
      await store.append([
        entry(DOC_A, 1),
        entry(DOC_B, 1),
        entry(DOC_A, 2),
        entry(DOC_B, 2),
        entry(DOC_B, 3),
      ]);
      const a = await store.load(DOC_A);
      const b = await store.load(DOC_B);
      expect(plain(a).updates).toEqual(expectedUpdates(DOC_A, 1, 2));
      expect(a.lastSeq).toBe(2);
      expect(plain(b).updates).toEqual(expectedUpdates(DOC_B, 1, 3));
      expect(b.lastSeq).toBe(3);
    });

    it('returns updates in numeric seq order, not arrival or text order', async () => {
      // Crosses 9 → 10 (text order would put 10 before 2) and lists one batch backwards.
      await store.append(entries(DOC_A, 1, 4));
      await store.append(entries(DOC_A, 5, 12).reverse());
      const loaded = await store.load(DOC_A);
      expect(plain(loaded).updates).toEqual(expectedUpdates(DOC_A, 1, 12));
      expect(loaded.lastSeq).toBe(12);
    });

    it('writes nothing of a batch that repeats a stored seq', async () => {
      await store.append(entries(DOC_A, 1, 2));
      const failing = [entry(DOC_B, 1), entry(DOC_A, 3, { newClients: [[7, 'user-7']] }), entry(DOC_A, 2)];
      await expect(store.append(failing)).rejects.toThrow();
      expect(plain(await store.load(DOC_A))).toEqual({
        snapshot: null,
        snapshotSeq: 0,
        updates: expectedUpdates(DOC_A, 1, 2),
        lastSeq: 2,
        clients: [],
      });
      expect((await store.load(DOC_B)).updates).toEqual([]);
      expect(await store.listDocs()).toEqual([DOC_A]);
    });

    it('writes nothing of a batch that repeats a seq within itself', async () => {
      await expect(store.append([entry(DOC_B, 1), entry(DOC_A, 1), entry(DOC_A, 1)])).rejects.toThrow();
      expect(await store.listDocs()).toEqual([]);
      // The store is still usable after the failed batch.
      await store.append([entry(DOC_A, 1)]);
      expect(plain(await store.load(DOC_A)).updates).toEqual(expectedUpdates(DOC_A, 1, 1));
    });

    it('folds updates into a snapshot and drops them from the log', async () => {
      await store.append(entries(DOC_A, 1, 5));
      const snapshot = snapshotOf(DOC_A, 3);
      await store.writeSnapshot(snapshot);
      expect(plain(await store.load(DOC_A))).toEqual({
        snapshot: Array.from(snapshot.state),
        snapshotSeq: 3,
        updates: expectedUpdates(DOC_A, 4, 5),
        lastSeq: 5,
        clients: [],
      });

      await store.writeSnapshot(snapshotOf(DOC_A, 5));
      const folded = await store.load(DOC_A);
      expect(folded.snapshotSeq).toBe(5);
      expect(folded.updates).toEqual([]);
      // With every update folded, lastSeq comes from the snapshot.
      expect(folded.lastSeq).toBe(5);
    });

    it('never moves a snapshot backwards', async () => {
      await store.append(entries(DOC_A, 1, 6));
      const newer = snapshotOf(DOC_A, 4);
      await store.writeSnapshot(newer);
      await store.writeSnapshot(snapshotOf(DOC_A, 2));
      expect(plain(await store.load(DOC_A))).toEqual({
        snapshot: Array.from(newer.state),
        snapshotSeq: 4,
        updates: expectedUpdates(DOC_A, 5, 6),
        lastSeq: 6,
        clients: [],
      });
    });

    it('returns updates appended after a snapshot', async () => {
      await store.append(entries(DOC_A, 1, 3));
      await store.writeSnapshot(snapshotOf(DOC_A, 3));
      await store.append(entries(DOC_A, 4, 5));
      const loaded = await store.load(DOC_A);
      expect(loaded.snapshotSeq).toBe(3);
      expect(plain(loaded).updates).toEqual(expectedUpdates(DOC_A, 4, 5));
      expect(loaded.lastSeq).toBe(5);
    });

    it('snapshots one document without touching another', async () => {
      await store.append([...entries(DOC_A, 1, 3), ...entries(DOC_B, 1, 3)]);
      await store.writeSnapshot(snapshotOf(DOC_A, 3));
      const b = await store.load(DOC_B);
      expect(b.snapshot).toBeNull();
      expect(plain(b).updates).toEqual(expectedUpdates(DOC_B, 1, 3));
    });

    it('round-trips client bindings per document', async () => {
      await store.append([
        entry(DOC_A, 1, { newClients: [[42, 'user-1']] }),
        entry(DOC_A, 2),
        entry(DOC_A, 3, {
          newClients: [
            [7, 'user-2'],
            [2 ** 32 - 1, 'user-3'],
          ],
        }),
        // The same clientID in another document is a separate binding.
        entry(DOC_B, 1, { newClients: [[42, 'user-9']] }),
      ]);
      expect(plain(await store.load(DOC_A)).clients).toEqual([
        [7, 'user-2'],
        [42, 'user-1'],
        [2 ** 32 - 1, 'user-3'],
      ]);
      expect(plain(await store.load(DOC_B)).clients).toEqual([[42, 'user-9']]);
    });

    it('keeps client bindings through a snapshot', async () => {
      await store.append([entry(DOC_A, 1, { newClients: [[42, 'user-1']] }), entry(DOC_A, 2)]);
      await store.writeSnapshot(snapshotOf(DOC_A, 2));
      expect(plain(await store.load(DOC_A)).clients).toEqual([[42, 'user-1']]);
    });

    it('rejects a binding of a clientID that is already bound, and its whole batch', async () => {
      await store.append([entry(DOC_A, 1, { newClients: [[42, 'user-1']] })]);
      await expect(store.append([entry(DOC_A, 2, { newClients: [[42, 'user-2']] })])).rejects.toThrow();
      await expect(
        store.append([
          entry(DOC_B, 1, { newClients: [[5, 'user-1']] }),
          entry(DOC_B, 2, { newClients: [[5, 'user-1']] }),
        ]),
      ).rejects.toThrow();
      expect(plain(await store.load(DOC_A))).toEqual({
        snapshot: null,
        snapshotSeq: 0,
        updates: expectedUpdates(DOC_A, 1, 1),
        lastSeq: 1,
        clients: [[42, 'user-1']],
      });
      expect(await store.listDocs()).toEqual([DOC_A]);
    });

    it('lists every stored document once, in name order', async () => {
      await store.append([entry(DOC_C, 1), entry(DOC_B, 1), entry(DOC_B, 2), entry(DOC_A, 1)]);
      // A fully folded document has no updates left but still exists.
      await store.writeSnapshot(snapshotOf(DOC_A, 1));
      expect(await store.listDocs()).toEqual([DOC_A, DOC_B, DOC_C]);
    });

    it('copies appended bytes, so callers cannot change the log through their arrays', async () => {
      const appended = entry(DOC_A, 1);
      await store.append([appended]);
      appended.update.fill(0xee);
      expect(plain(await store.load(DOC_A)).updates).toEqual(expectedUpdates(DOC_A, 1, 1));
    });

    it('copies snapshot bytes on write', async () => {
      await store.append(entries(DOC_A, 1, 2));
      const snapshot = snapshotOf(DOC_A, 2);
      const written = Array.from(snapshot.state);
      await store.writeSnapshot(snapshot);
      snapshot.state.fill(0xee);
      expect(plain(await store.load(DOC_A)).snapshot).toEqual(written);
    });

    it('hands out bytes that the caller may mutate without changing the next load', async () => {
      await store.append(entries(DOC_A, 1, 3));
      await store.writeSnapshot(snapshotOf(DOC_A, 1));
      const first = await store.load(DOC_A);
      const before = plain(first);
      first.snapshot?.fill(0xdd);
      for (const update of first.updates) update.fill(0xdd);
      first.clients.set(99, 'intruder');
      expect(plain(await store.load(DOC_A))).toEqual(before);
    });

    it('can be closed twice, and refuses work once closed', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.load(DOC_A)).rejects.toThrow();
      await expect(store.append([entry(DOC_A, 1)])).rejects.toThrow();
    });

    // Only stores that persist promise this; the others do not define the test at all.
    if (persistent) {
      it('keeps everything across close and reopen', async () => {
        if (!reopen) throw new Error('a persistent store under test must provide reopen()');
        await store.append([...entries(DOC_A, 1, 4), entry(DOC_B, 1, { newClients: [[42, 'user-1']] })]);
        const snapshot = snapshotOf(DOC_A, 2);
        await store.writeSnapshot(snapshot);
        const before = plain(await store.load(DOC_A));

        store = await reopen();
        expect(plain(await store.load(DOC_A))).toEqual(before);
        expect(before.updates).toEqual(expectedUpdates(DOC_A, 3, 4));
        expect(plain(await store.load(DOC_B))).toEqual({
          snapshot: null,
          snapshotSeq: 0,
          updates: expectedUpdates(DOC_B, 1, 1),
          lastSeq: 1,
          clients: [[42, 'user-1']],
        });
        expect(await store.listDocs()).toEqual([DOC_A, DOC_B]);
        // Appending continues where the log left off.
        await store.append([entry(DOC_A, 5)]);
        expect((await store.load(DOC_A)).lastSeq).toBe(5);
      });
    }
  });
}
