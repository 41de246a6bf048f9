import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { tables } from '@caucus/schema';
import { fileURLToPath } from 'node:url';
import { ensureSearchIndex } from './search-schema.js';

export type Tables = typeof tables;
export type Db = BetterSQLite3Database<Tables> & { $client: Database.Database };

/** Where drizzle-kit's migrations live: `sync-server/drizzle`, next to both `src/` and `dist/`. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));

export type Durability = 'normal' | 'full';

export interface OpenDbOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /**
   * `normal` (default): with WAL, a committed transaction survives a crash of the process (kill -9)
   * but may be lost on power failure. `full`: fsync on every commit, survives power failure too.
   */
  durability?: Durability;
}

/** Opens the database in WAL mode, applies pending migrations and makes the full-text indexes. */
export function openDb({ path, durability = 'normal' }: OpenDbOptions): Db {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle({ client: sqlite, schema: tables });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  ensureSearchIndex(db);
  return db;
}
