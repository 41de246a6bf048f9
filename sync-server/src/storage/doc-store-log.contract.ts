/**
 * The DocStore contract, the update log: what was appended loads back, in numeric seq order,
 * documents apart, and a batch is written whole or not at all.
 */
import { expect, it } from 'vitest';
import {
  DOC_A,
  DOC_B,
  entry,
  entries,
  plain,
  expectedUpdates,
  type DocStoreContext,
} from './doc-store-contract-kit.js';

export function logContract(ctx: DocStoreContext): void {
  it('loads an unknown document as empty', async () => {
    expect(plain(await ctx.store.load(DOC_A))).toEqual({
      snapshot: null,
      snapshotSeq: 0,
      updates: [],
      lastSeq: 0,
      clients: [],
    });
    expect(await ctx.store.listDocs()).toEqual([]);
  });

  it('loads what was appended', async () => {
    await ctx.store.append(entries(DOC_A, 1, 3));
    expect(plain(await ctx.store.load(DOC_A))).toEqual({
      snapshot: null,
      snapshotSeq: 0,
      updates: expectedUpdates(DOC_A, 1, 3),
      lastSeq: 3,
      clients: [],
    });
  });

  it('treats an empty batch as a no-op', async () => {
    await ctx.store.append([]);
    expect(await ctx.store.listDocs()).toEqual([]);
  });

  it('keeps several documents of one batch apart', async () => {
    await ctx.store.append([
      entry(DOC_A, 1),
      entry(DOC_B, 1),
      entry(DOC_A, 2),
      entry(DOC_B, 2),
      entry(DOC_B, 3),
    ]);
    const a = await ctx.store.load(DOC_A);
    const b = await ctx.store.load(DOC_B);
    expect(plain(a).updates).toEqual(expectedUpdates(DOC_A, 1, 2));
    expect(a.lastSeq).toBe(2);
    expect(plain(b).updates).toEqual(expectedUpdates(DOC_B, 1, 3));
    expect(b.lastSeq).toBe(3);
  });

  it('returns updates in numeric seq order, not arrival or text order', async () => {
    // Crosses 9 → 10 (text order would put 10 before 2) and lists one batch backwards.
    await ctx.store.append(entries(DOC_A, 1, 4));
    await ctx.store.append(entries(DOC_A, 5, 12).reverse());
    const loaded = await ctx.store.load(DOC_A);
    expect(plain(loaded).updates).toEqual(expectedUpdates(DOC_A, 1, 12));
    expect(loaded.lastSeq).toBe(12);
  });

  it('writes nothing of a batch that repeats a stored seq', async () => {
    await ctx.store.append(entries(DOC_A, 1, 2));
    const failing = [entry(DOC_B, 1), entry(DOC_A, 3, { newClients: [[7, 'user-7']] }), entry(DOC_A, 2)];
    await expect(ctx.store.append(failing)).rejects.toThrow();
    expect(plain(await ctx.store.load(DOC_A))).toEqual({
      snapshot: null,
      snapshotSeq: 0,
      updates: expectedUpdates(DOC_A, 1, 2),
      lastSeq: 2,
      clients: [],
    });
    expect((await ctx.store.load(DOC_B)).updates).toEqual([]);
    expect(await ctx.store.listDocs()).toEqual([DOC_A]);
  });

  it('writes nothing of a batch that repeats a seq within itself', async () => {
    await expect(ctx.store.append([entry(DOC_B, 1), entry(DOC_A, 1), entry(DOC_A, 1)])).rejects.toThrow();
    expect(await ctx.store.listDocs()).toEqual([]);
    // The store is still usable after the failed batch.
    await ctx.store.append([entry(DOC_A, 1)]);
    expect(plain(await ctx.store.load(DOC_A)).updates).toEqual(expectedUpdates(DOC_A, 1, 1));
  });
}
