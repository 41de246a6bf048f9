/**
 * The DocStore contract, the store as a whole: the documents it lists, closing it, and (for stores
 * that persist) everything kept across a close and reopen.
 */
import { expect, it } from 'vitest';
import {
  DOC_A,
  DOC_B,
  DOC_C,
  entry,
  entries,
  plain,
  expectedUpdates,
  snapshotOf,
  type DocStoreContext,
} from './doc-store-contract-kit.js';

export function lifecycleContract(ctx: DocStoreContext, persistent: boolean): void {
  it('lists every stored document once, in name order', async () => {
    await ctx.store.append([entry(DOC_C, 1), entry(DOC_B, 1), entry(DOC_B, 2), entry(DOC_A, 1)]);
    // A fully folded document has no updates left but still exists.
    await ctx.store.writeSnapshot(snapshotOf(DOC_A, 1));
    expect(await ctx.store.listDocs()).toEqual([DOC_A, DOC_B, DOC_C]);
  });

  it('can be closed twice, and refuses work once closed', async () => {
    await ctx.store.close();
    await expect(ctx.store.close()).resolves.toBeUndefined();
    await expect(ctx.store.load(DOC_A)).rejects.toThrow();
    await expect(ctx.store.append([entry(DOC_A, 1)])).rejects.toThrow();
  });

  // Only stores that persist promise this; the others do not define the test at all.
  if (persistent) {
    it('keeps everything across close and reopen', async () => {
      if (!ctx.reopen) throw new Error('a persistent store under test must provide reopen()');
      await ctx.store.append([...entries(DOC_A, 1, 4), entry(DOC_B, 1, { newClients: [[42, 'user-1']] })]);
      const snapshot = snapshotOf(DOC_A, 2);
      await ctx.store.writeSnapshot(snapshot);
      const before = plain(await ctx.store.load(DOC_A));

      ctx.store = await ctx.reopen();
      expect(plain(await ctx.store.load(DOC_A))).toEqual(before);
      expect(before.updates).toEqual(expectedUpdates(DOC_A, 3, 4));
      expect(plain(await ctx.store.load(DOC_B))).toEqual({
        snapshot: null,
        snapshotSeq: 0,
        updates: expectedUpdates(DOC_B, 1, 1),
        lastSeq: 1,
        clients: [[42, 'user-1']],
      });
      expect(await ctx.store.listDocs()).toEqual([DOC_A, DOC_B]);
      // Appending continues where the log left off.
      await ctx.store.append([entry(DOC_A, 5)]);
      expect((await ctx.store.load(DOC_A)).lastSeq).toBe(5);
    });
  }
}
