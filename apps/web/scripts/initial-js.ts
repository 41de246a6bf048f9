/**
 * Prints the first screen's JavaScript after a build: the entry chunk and everything it imports
 * statically, minified and gzipped — what a browser must fetch before the app is interactive.
 * Lazy chunks (CodeMirror, loaded when a thread opens) are listed apart. Goal: ≤ 100 KB gzip.
 */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The first screen's budget (issue 12): initial JavaScript, gzip. */
export const INITIAL_JS_GOAL_BYTES = 100 * 1024;

interface ChunkLike {
  type: 'chunk';
  fileName: string;
  code: string;
  isEntry: boolean;
  imports: string[];
}

export function reportInitialJs(): Plugin {
  return {
    name: 'caucus-initial-js',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, ChunkLike>();
      for (const [name, out] of Object.entries(bundle)) if (out.type === 'chunk') chunks.set(name, out);
      const initial = new Set<string>();
      const visit = (name: string) => {
        if (initial.has(name)) return;
        const chunk = chunks.get(name);
        if (!chunk) return;
        initial.add(name);
        chunk.imports.forEach(visit);
      };
      for (const chunk of chunks.values())
        if (chunk.isEntry && !chunk.fileName.includes('workbox')) visit(chunk.fileName);
      const gz = (name: string) => gzipSync(chunks.get(name)?.code ?? '').length;
      const initialBytes = [...initial].reduce((sum, name) => sum + gz(name), 0);
      const lazy = [...chunks.keys()].filter((n) => !initial.has(n));
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      const verdict = initialBytes <= INITIAL_JS_GOAL_BYTES ? 'within' : 'OVER';
      console.log(
        `\n[caucus] initial JavaScript (first screen, gzip): ${kb(initialBytes)} — ${verdict} the ${kb(INITIAL_JS_GOAL_BYTES)} goal`,
      );
      for (const n of lazy) console.log(`[caucus]   lazy ${n}: ${kb(gz(n))}`);
    },
  };
}
