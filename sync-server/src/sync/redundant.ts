import * as Y from 'yjs';

/**
 * True when applying `update` to `doc` would change nothing: every struct is already known and
 * every deletion already happened. A read-only client's sync step 2 carries its whole delete set,
 * so "not empty" does not mean "a write attempt".
 */
export function isRedundant(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  for (const struct of structs) {
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return false;
  }
  for (const [client, ranges] of ds.clients) {
    const known = doc.store.clients.get(client);
    for (const range of ranges) {
      if (range.len === 0) continue;
      if (!known || range.clock + range.len > Y.getState(doc.store, client)) return false;
      for (let i = Y.findIndexSS(known, range.clock); i < known.length; i++) {
        const struct = known[i];
        if (struct === undefined || struct.id.clock >= range.clock + range.len) break;
        if (!struct.deleted) return false;
      }
    }
  }
  return true;
}

/**
 * The empty update (no structs, no deletions): what a client with an empty document answers the
 * server's sync step 1 with.
 */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}
