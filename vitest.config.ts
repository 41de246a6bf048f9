import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `caucus-source` export condition),
// so tests never depend on a stale build.
export default defineConfig({
  resolve: { conditions: ['caucus-source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['caucus-source', 'module', 'node', 'import', 'default'] } },
  test: {
    include: [
      'schema/src/**/*.test.ts',
      'sync-server/src/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
