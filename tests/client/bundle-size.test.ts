/**
 * The browser bundle's initial load stays within the goal (≤ 60 KB gzip, yjs included),
 * built exactly as `packages/client/scripts/bundle.js` builds it, so a change that grows it past
 * the goal fails CI instead of being noticed in the next benchmark run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

interface Chunk {
  file: string;
  gzipBytes: number;
  nodeOnly: boolean;
  inputs: string[];
}
interface BundleModule {
  BUNDLE_GOAL_GZIP_BYTES: number;
  bundleSize: (o: {
    outdir: string;
  }) => Promise<{ gzipBytes: number; inputs: Record<string, number>; lazy: Chunk[] }>;
}

const outdir = mkdtempSync(join(tmpdir(), 'caucus-bundle-size-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('browser bundle of @caucus/client', () => {
  it('loads at most 60 KB gzip before anything happens, the rarer paths in lazy chunks', async () => {
    const { BUNDLE_GOAL_GZIP_BYTES, bundleSize } = (await import(
      pathToFileURL(join(ROOT, 'packages/client/scripts/bundle.js')).href
    )) as BundleModule;
    expect(BUNDLE_GOAL_GZIP_BYTES).toBe(60 * 1024);
    const size = await bundleSize({ outdir });
    expect(size.gzipBytes).toBeLessThanOrEqual(BUNDLE_GOAL_GZIP_BYTES);
    // The measurement is of the real thing: yjs is in the initial load, tus-js-client is not.
    const initial = Object.keys(size.inputs);
    expect(initial.some((i) => i.includes('node_modules/yjs/'))).toBe(true);
    expect(initial.some((i) => i.includes('tus-js-client'))).toBe(false);
    const lazy = size.lazy.filter((c) => !c.nodeOnly).flatMap((c) => c.inputs);
    expect(lazy.some((i) => i.includes('tus-js-client'))).toBe(true);
    // The outbox's preview and the shared policy it runs load when an outbox opens, not before.
    expect(initial.some((i) => i.endsWith('schema/src/policy/decide.ts'))).toBe(false);
    expect(lazy.some((i) => i.endsWith('schema/src/policy/decide.ts'))).toBe(true);
  });
});
