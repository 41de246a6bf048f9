/**
 * The DocStore contract, who owns the bytes: the store copies what it is given and hands out
 * copies, so neither side can change the other's data through a shared array.
 */
import { expect, it } from 'vitest';
import {
  DOC_A,
  entry,
  entries,
  plain,
  expectedUpdates,
  snapshotOf,
  type DocStoreContext,
} from './doc-store-contract-kit.js';

export function bytesContract(ctx: DocStoreContext): void {
  it('copies appended bytes, so callers cannot change the log through their arrays', async () => {
    const appended = entry(DOC_A, 1);
    await ctx.store.append([appended]);
    appended.update.fill(0xee);
    expect(plain(await ctx.store.load(DOC_A)).updates).toEqual(expectedUpdates(DOC_A, 1, 1));
  });

  it('copies snapshot bytes on write', async () => {
    await ctx.store.append(entries(DOC_A, 1, 2));
    const snapshot = snapshotOf(DOC_A, 2);
    const written = Array.from(snapshot.state);
    await ctx.store.writeSnapshot(snapshot);
    snapshot.state.fill(0xee);
    expect(plain(await ctx.store.load(DOC_A)).snapshot).toEqual(written);
  });

  it('hands out bytes that the caller may mutate without changing the next load', async () => {
    await ctx.store.append(entries(DOC_A, 1, 3));
    await ctx.store.writeSnapshot(snapshotOf(DOC_A, 1));
    const first = await ctx.store.load(DOC_A);
    const before = plain(first);
    first.snapshot?.fill(0xdd);
    for (const update of first.updates) update.fill(0xdd);
    first.clients.set(99, 'intruder');
    expect(plain(await ctx.store.load(DOC_A))).toEqual(before);
  });
}
