/**
 * The DocStore contract, client bindings: which user each Yjs clientID of a document belongs to,
 * bound once, kept through snapshots, refused (with its whole batch) when bound again.
 */
import { expect, it } from 'vitest';
import {
  DOC_A,
  DOC_B,
  entry,
  plain,
  expectedUpdates,
  snapshotOf,
  type DocStoreContext,
} from './doc-store-contract-kit.js';

export function clientContract(ctx: DocStoreContext): void {
  it('round-trips client bindings per document', async () => {
    await ctx.store.append([
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
    expect(plain(await ctx.store.load(DOC_A)).clients).toEqual([
      [7, 'user-2'],
      [42, 'user-1'],
      [2 ** 32 - 1, 'user-3'],
    ]);
    expect(plain(await ctx.store.load(DOC_B)).clients).toEqual([[42, 'user-9']]);
  });

  it('keeps client bindings through a snapshot', async () => {
    await ctx.store.append([entry(DOC_A, 1, { newClients: [[42, 'user-1']] }), entry(DOC_A, 2)]);
    await ctx.store.writeSnapshot(snapshotOf(DOC_A, 2));
    expect(plain(await ctx.store.load(DOC_A)).clients).toEqual([[42, 'user-1']]);
  });

  it('rejects a binding of a clientID that is already bound, and its whole batch', async () => {
    await ctx.store.append([entry(DOC_A, 1, { newClients: [[42, 'user-1']] })]);
    await expect(ctx.store.append([entry(DOC_A, 2, { newClients: [[42, 'user-2']] })])).rejects.toThrow();
    await expect(
      ctx.store.append([
        entry(DOC_B, 1, { newClients: [[5, 'user-1']] }),
        entry(DOC_B, 2, { newClients: [[5, 'user-1']] }),
      ]),
    ).rejects.toThrow();
    expect(plain(await ctx.store.load(DOC_A))).toEqual({
      snapshot: null,
      snapshotSeq: 0,
      updates: expectedUpdates(DOC_A, 1, 1),
      lastSeq: 1,
      clients: [[42, 'user-1']],
    });
    expect(await ctx.store.listDocs()).toEqual([DOC_A]);
  });
}
