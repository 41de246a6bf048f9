/**
 * Making a server-only document's Y types match plain JSON values, writing only what differs: how
 * every publisher of governed state and of catalogs turns rows into document changes, so that a
 * publish is idempotent and a rebuild at start is the same code.
 */
import type * as Y from 'yjs';

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** Makes `map` hold exactly `entries` (plain JSON values), writing only what differs. */
export function reconcileMap(map: Y.Map<unknown>, entries: ReadonlyMap<string, unknown>): void {
  for (const key of [...map.keys()]) if (!entries.has(key)) map.delete(key);
  for (const [key, value] of entries) if (!sameJson(map.get(key), value)) map.set(key, value);
}

/** Makes `array` hold exactly `items`, keeping the common prefix (history only grows). */
export function reconcileArray(array: Y.Array<unknown>, items: readonly unknown[]): void {
  let same = 0;
  while (same < array.length && same < items.length && sameJson(array.get(same), items[same])) same++;
  if (same < array.length) array.delete(same, array.length - same);
  if (same < items.length) array.insert(same, items.slice(same));
}
