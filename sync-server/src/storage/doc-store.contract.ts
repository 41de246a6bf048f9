/**
 * The DocStore contract: the behaviour every `DocStore` must have, run by each implementation's
 * test file. Its parts are in the `doc-store-*.contract.ts` files next to it (the log, snapshots,
 * client bindings, byte ownership, the store as a whole); the fixtures in `doc-store-contract-kit.ts`.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { DocStore } from './doc-store.js';
import { bytesContract } from './doc-store-bytes.contract.js';
import { clientContract } from './doc-store-clients.contract.js';
import type { DocStoreContext } from './doc-store-contract-kit.js';
import { lifecycleContract } from './doc-store-lifecycle.contract.js';
import { logContract } from './doc-store-log.contract.js';
import { snapshotContract } from './doc-store-snapshots.contract.js';

export interface DocStoreUnderTest {
  store: DocStore;
  /** Closes `store` and opens the same storage again; only for stores that persist. */
  reopen?: () => Promise<DocStore>;
}

/** The behaviour every `DocStore` must have; call it from each implementation's test file. */
export function runDocStoreContract(
  name: string,
  factory: () => Promise<DocStoreUnderTest>,
  { persistent = false }: { persistent?: boolean } = {},
): void {
  describe(`DocStore contract: ${name}`, () => {
    // Filled in before each test; the persistence test replaces the store with the reopened one.
    const ctx: DocStoreContext = { store: null as unknown as DocStore, reopen: undefined };

    beforeEach(async () => {
      const underTest = await factory();
      ctx.store = underTest.store;
      ctx.reopen = underTest.reopen;
    });

    afterEach(async () => {
      await ctx.store.close();
    });

    logContract(ctx);
    snapshotContract(ctx);
    clientContract(ctx);
    bytesContract(ctx);
    lifecycleContract(ctx, persistent);
  });
}
