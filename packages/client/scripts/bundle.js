/**
 * The browser build of @caucus/client: minified ES modules with yjs and everything else it needs,
 * written to dist/browser/; tus-js-client and the Node-only parts are split-off chunks loaded by
 * dynamic import(). Prints the initial load minified and gzipped, the figure the issue sets a
 * goal for (≤ 60 KB gzip), and the lazy chunks; `--json` prints it as JSON.
 */
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const { process, console } = globalThis;

/** The goal for the browser bundle, gzipped (bytes). */
export const BUNDLE_GOAL_GZIP_BYTES = 60 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The client's upload driver (`src/uploads/tus-driver.ts`, with tus-js-client), as its entry imports it. */
const DRIVER_IMPORT = './tus-driver.js';

/**
 * The upload driver is a build of its own, imported at run time from next to the entry: built
 * together, esbuild's code splitting would put the CommonJS helpers of tus-js-client's
 * dependencies into a shared chunk that the entry imports as well.
 */
const driverBesideEntry = {
  name: 'tus-driver-beside-entry',
  setup(b) {
    b.onResolve({ filter: /\/tus-driver\.js$/ }, () => ({ path: DRIVER_IMPORT, external: true }));
  },
};

/**
 * Builds the bundle and measures it. `initial`: what a page loads before it does anything — the
 * entry and every chunk it imports statically, each gzipped on its own as a server sends it.
 * `lazy`: what a dynamic import() loads later (tus-js-client with the first upload; the Node-only
 * parts are never loaded in a browser), each with the chunks it needs.
 */
export async function bundleSize({ outdir = join(root, 'dist/browser') } = {}) {
  // Chunks of an earlier build (other hashes) would linger beside the new ones.
  rmSync(outdir, { recursive: true, force: true });
  const common = {
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir,
    conditions: ['caucus-source'],
    external: ['node:*'],
    metafile: true,
    logLevel: 'error',
    // The metafile's paths are relative to this.
    absWorkingDir: root,
  };
  const main = await build({
    ...common,
    entryPoints: { 'caucus-client': join(root, 'src/index.ts') },
    // Opt-in parts (the shared connection) are chunks of their own.
    splitting: true,
    plugins: [driverBesideEntry],
  });
  const driver = await build({
    ...common,
    entryPoints: { 'tus-driver': join(root, 'src/uploads/tus-driver.ts') },
    splitting: true,
  });
  const outputs = { ...main.metafile.outputs, ...driver.metafile.outputs };
  const entry = Object.keys(main.metafile.outputs).find((k) => k.endsWith('caucus-client.js'));
  const driverFile = Object.keys(driver.metafile.outputs).find((k) => k.endsWith('tus-driver.js'));
  const measure = (path) => {
    const bytes = readFileSync(resolve(root, path));
    return { file: path, minifiedBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  };
  const sum = (list, key) => list.reduce((n, m) => n + m[key], 0);
  /** `path` and the chunks it imports statically (not in `skip`); the roots of its dynamic imports. */
  const closure = (path, skip) => {
    const files = new Set();
    const dynamic = new Set();
    const visit = (p) => {
      if (files.has(p) || skip.has(p)) return;
      files.add(p);
      for (const imp of outputs[p]?.imports ?? []) {
        const target =
          imp.external && imp.path === DRIVER_IMPORT ? driverFile : imp.external ? null : imp.path;
        if (target === null) continue;
        if (imp.kind === 'dynamic-import') dynamic.add(target);
        else visit(target);
      }
    };
    visit(path);
    return { files, dynamic };
  };
  const initialLoad = closure(entry, new Set());
  const initial = [...initialLoad.files].map(measure);
  const lazy = [];
  const pending = [...initialLoad.dynamic];
  const seen = new Set(initialLoad.files);
  while (pending.length > 0) {
    const root = pending.shift();
    if (seen.has(root)) continue;
    const load = closure(root, seen);
    for (const f of load.files) seen.add(f);
    pending.push(...load.dynamic);
    const parts = [...load.files].map(measure);
    lazy.push({
      file: root,
      minifiedBytes: sum(parts, 'minifiedBytes'),
      gzipBytes: sum(parts, 'gzipBytes'),
      nodeOnly: (outputs[root]?.imports ?? []).some((imp) => imp.external && imp.path.startsWith('node:')),
      inputs: [...load.files].flatMap((f) => Object.keys(outputs[f]?.inputs ?? {})),
    });
  }
  const inputs = {};
  for (const file of initialLoad.files)
    for (const [input, { bytesInOutput }] of Object.entries(outputs[file]?.inputs ?? {}))
      inputs[input] = (inputs[input] ?? 0) + bytesInOutput;
  return {
    file: resolve(root, entry),
    outdir,
    minifiedBytes: sum(initial, 'minifiedBytes'),
    gzipBytes: sum(initial, 'gzipBytes'),
    initial,
    lazy,
    inputs,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = await bundleSize();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  if (process.argv.includes('--json')) {
    const { minifiedBytes, gzipBytes, lazy } = size;
    const chunks = lazy.map(({ file, minifiedBytes, gzipBytes, nodeOnly }) => ({
      file,
      minifiedBytes,
      gzipBytes,
      nodeOnly,
    }));
    console.log(JSON.stringify({ minifiedBytes, gzipBytes, lazy: chunks }));
  } else {
    if (process.argv.includes('--inputs')) {
      const top = Object.entries(size.inputs).sort((a, b) => b[1] - a[1]);
      for (const [file, bytes] of top.slice(0, 25)) console.log(`${kb(bytes).padStart(9)}  ${file}`);
    }
    for (const chunk of size.lazy.filter((c) => !c.nodeOnly)) {
      const what = chunk.inputs.some((i) => i.includes('tus-js-client'))
        ? ' (tus-js-client, with the first upload)'
        : '';
      console.log(
        `lazy chunk ${chunk.file}: ${kb(chunk.minifiedBytes)} minified, ${kb(chunk.gzipBytes)} gzip${what}`,
      );
    }
    const verdict = size.gzipBytes <= BUNDLE_GOAL_GZIP_BYTES ? 'within' : 'OVER';
    console.log(
      `@caucus/client browser bundle, initial load (${size.initial.length} file${size.initial.length === 1 ? '' : 's'}): ${kb(size.minifiedBytes)} minified, ${kb(size.gzipBytes)} gzip (${verdict} the ${kb(BUNDLE_GOAL_GZIP_BYTES)} goal)`,
    );
  }
}
