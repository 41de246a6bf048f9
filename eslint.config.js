import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * DESIGN §1's direction of dependencies: `schema` ← `sync-server`, `schema` ← `client` ← `cli`,
 * `apps/web`. Inside the server, storage is the bottom layer and the sync core (`sync/`) knows no
 * HTTP, governance, projection or uploads; only `sync/ws-transport.ts` knows the `ws` package
 * (other files may name its types).
 */
const pkg = (name, message) => ({ group: [name, `${name}/*`], message });
const NOT_THE_SERVER = pkg(
  '@caucus/sync-server',
  'the server never imports the client, and the client never imports the server (DESIGN §1)',
);
const NOT_THE_CLIENT = pkg('@caucus/client', 'the server never imports the client (DESIGN §1)');
const NOT_THE_CLI = pkg('caucus', 'nothing imports the command line (DESIGN §1)');
const NOT_THE_APP = pkg('@caucus/web', 'nothing imports the web app (DESIGN §1)');

const SERVER = 'sync-server/src';
const serverLayer = (target, from, message) => ({
  target: `./${SERVER}/${target}`,
  from: from.map((dir) => `./${SERVER}/${dir}`),
  except: [],
  message,
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      'sync-server/drizzle/**',
      'sync-server/drizzle.config.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Layering: no import cycles, and dependencies point one way.
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // The layers of the server hold for its code; tests and their kits may compose any of them.
  {
    files: ['sync-server/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/test-kit.ts', '**/*.contract.ts'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            serverLayer(
              'storage',
              [
                'auth',
                'email',
                'governance',
                'http',
                'jobs',
                'projection',
                'receipts',
                'sync',
                'uploads',
                'workspaces',
              ],
              'storage is the bottom layer of the server',
            ),
            serverLayer(
              'sync',
              ['email', 'governance', 'http', 'jobs', 'projection', 'receipts', 'uploads', 'workspaces'],
              'the sync core knows documents and connections, not HTTP or governance',
            ),
            serverLayer(
              'projection',
              ['email', 'governance', 'jobs', 'receipts', 'uploads'],
              'the read model is a view of rows: governance publishes through it, never the reverse',
            ),
            serverLayer(
              'workspaces',
              ['email', 'governance', 'http', 'jobs', 'projection', 'receipts', 'sync', 'uploads'],
              'workspaces sit below governance and the transports',
            ),
            ...[
              'auth',
              'email',
              'governance',
              'jobs',
              'projection',
              'receipts',
              'storage',
              'sync',
              'workspaces',
            ].map((dir) =>
              serverLayer(dir, ['http'], 'HTTP is the top layer: only routes and the app import it'),
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['schema/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            NOT_THE_SERVER,
            NOT_THE_CLIENT,
            NOT_THE_CLI,
            NOT_THE_APP,
            {
              group: ['node:*', 'fs', 'path', 'better-sqlite3', 'ws', 'drizzle-orm/better-sqlite3'],
              message: '@caucus/schema is pure: no I/O (DESIGN §1)',
            },
          ],
        },
      ],
    },
  },
  {
    files: [`${SERVER}/**/*.ts`],
    ignores: ['**/*.test.ts', `${SERVER}/sync/ws-transport.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'ws',
              message: 'only sync/ws-transport.ts knows ws (its types may be named elsewhere)',
              allowTypeImports: true,
            },
          ],
          patterns: [NOT_THE_CLIENT, NOT_THE_CLI, NOT_THE_APP],
        },
      ],
    },
  },
  {
    files: ['packages/client/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [NOT_THE_SERVER, NOT_THE_CLI, NOT_THE_APP] },
      ],
    },
  },
  {
    files: ['apps/web/src/**/*.ts', 'apps/web/src/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NOT_THE_SERVER, NOT_THE_CLI] }],
    },
  },
  {
    files: ['packages/cli/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NOT_THE_APP] }] },
  },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
