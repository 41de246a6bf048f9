/**
 * What the data-dir commands of `caucus admin` share: where the database is, and the options every
 * one of them takes (`--data-dir`, `--json`).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DataDirOptions {
  /** Default: `CAUCUS_DATA_DIR`, then `./data`. */
  dataDir?: string;
}

/** The database file of a data dir; an error when there is none (rather than creating one). */
export function databasePath(options: DataDirOptions, env: NodeJS.ProcessEnv = process.env): string {
  const dir = resolve(options.dataDir ?? env.CAUCUS_DATA_DIR ?? './data');
  const path = join(dir, 'caucus.db');
  if (!existsSync(path)) throw new Error(`no Caucus database at ${path}`);
  return path;
}

/** `-d, --data-dir`, as every data-dir command takes it. */
export const dataDirOption = [
  '-d, --data-dir <dir>',
  'the data dir (env CAUCUS_DATA_DIR, default ./data)',
] as const;

/** Every admin command takes `--json`: its result as one JSON line on stdout, for scripts. */
export interface JsonOption {
  json?: boolean;
}
export const jsonOption = ['--json', 'print the result as JSON'] as const;
