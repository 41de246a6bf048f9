/**
 * The DocStore contract, snapshots: a snapshot folds the updates it covers out of the log, never
 * moves backwards, and touches only its own document.
 */
import { expect, it } from 'vitest';
import {
  DOC_A,
  DOC_B,
  entries,
  plain,
  expectedUpdates,
  snapshotOf,
  type DocStoreContext,
} from './doc-store-contract-kit.js';

export function snapshotContract(ctx: DocStoreContext): void {
  it('folds updates into a snapshot and drops them from the log', async () => {
    await ctx.store.append(entries(DOC_A, 1, 5));
    const snapshot = snapshotOf(DOC_A, 3);
    await ctx.store.writeSnapshot(snapshot);
    expect(plain(await ctx.store.load(DOC_A))).toEqual({
      snapshot: Array.from(snapshot.state),
      snapshotSeq: 3,
      updates: expectedUpdates(DOC_A, 4, 5),
      lastSeq: 5,
      clients: [],
    });

    await ctx.store.writeSnapshot(snapshotOf(DOC_A, 5));
    const folded = await ctx.store.load(DOC_A);
    expect(folded.snapshotSeq).toBe(5);
    expect(folded.updates).toEqual([]);
    // With every update folded, lastSeq comes from the snapshot.
    expect(folded.lastSeq).toBe(5);
  });

  it('never moves a snapshot backwards', async () => {
    await ctx.store.append(entries(DOC_A, 1, 6));
    const newer = snapshotOf(DOC_A, 4);
    await ctx.store.writeSnapshot(newer);
    await ctx.store.writeSnapshot(snapshotOf(DOC_A, 2));
    expect(plain(await ctx.store.load(DOC_A))).toEqual({
      snapshot: Array.from(newer.state),
      snapshotSeq: 4,
      updates: expectedUpdates(DOC_A, 5, 6),
      lastSeq: 6,
      clients: [],
    });
  });

  it('returns updates appended after a snapshot', async () => {
    await ctx.store.append(entries(DOC_A, 1, 3));
    await ctx.store.writeSnapshot(snapshotOf(DOC_A, 3));
    await ctx.store.append(entries(DOC_A, 4, 5));
    const loaded = await ctx.store.load(DOC_A);
    expect(loaded.snapshotSeq).toBe(3);
    expect(plain(loaded).updates).toEqual(expectedUpdates(DOC_A, 4, 5));
    expect(loaded.lastSeq).toBe(5);
  });

  it('snapshots one document without touching another', async () => {
    await ctx.store.append([...entries(DOC_A, 1, 3), ...entries(DOC_B, 1, 3)]);
    await ctx.store.writeSnapshot(snapshotOf(DOC_A, 3));
    const b = await ctx.store.load(DOC_B);
    expect(b.snapshot).toBeNull();
    expect(plain(b).updates).toEqual(expectedUpdates(DOC_B, 1, 3));
  });
}
