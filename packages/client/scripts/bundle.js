/**
 * The browser build of @caucus/client: one minified ES module with yjs and everything else it
 * needs (Node-only chunks split off), written to dist/browser/. Prints its size minified and
 * gzipped, the figure the issue sets a goal for (≤ 60 KB gzip); `--json` prints it as JSON.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const { process, console } = globalThis;

/** The goal for the browser bundle, gzipped (bytes). */
export const BUNDLE_GOAL_GZIP_BYTES = 60 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleSize() {
  const outdir = join(root, 'dist/browser');
  const result = await build({
    entryPoints: { 'caucus-client': join(root, 'src/index.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    outdir,
    conditions: ['caucus-source'],
    external: ['node:*'],
    metafile: true,
    logLevel: 'error',
  });
  const main = join(outdir, 'caucus-client.js');
  const bytes = readFileSync(main);
  return {
    file: main,
    minifiedBytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    inputs:
      result.metafile.outputs[
        Object.keys(result.metafile.outputs).find((k) => k.endsWith('caucus-client.js'))
      ]?.inputs,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = await bundleSize();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ minifiedBytes: size.minifiedBytes, gzipBytes: size.gzipBytes }));
  } else {
    if (process.argv.includes('--inputs')) {
      const top = Object.entries(size.inputs ?? {}).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
      for (const [file, { bytesInOutput }] of top.slice(0, 25))
        console.log(`${kb(bytesInOutput).padStart(9)}  ${file}`);
    }
    const verdict = size.gzipBytes <= BUNDLE_GOAL_GZIP_BYTES ? 'within' : 'OVER';
    console.log(
      `@caucus/client browser bundle: ${kb(size.minifiedBytes)} minified, ${kb(size.gzipBytes)} gzip (${verdict} the ${kb(BUNDLE_GOAL_GZIP_BYTES)} goal)`,
    );
  }
}
