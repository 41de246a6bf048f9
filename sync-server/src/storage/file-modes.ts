/**
 * The data directory holds password hashes, every document, signing keys and uploaded files, so
 * what the server creates there is its owner's only: directories 0700, files 0600, whatever the
 * umask. SQLite gives a database's WAL, shared-memory and journal files the mode of the database
 * file, so creating that file 0600 before SQLite opens it covers them too.
 */
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/** Owner-only directories: the data dir, `uploads/`, `thumbnails/`, `receipt-keys/`. */
export const PRIVATE_DIR_MODE = 0o700;
/** Owner-only files: the database and its WAL/SHM, the lock, the JWT secret, keys, uploads. */
export const PRIVATE_FILE_MODE = 0o600;

/** Makes `dir` (and missing parents) 0700; an existing directory keeps its mode. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `path` empty with mode 0600 unless it exists (an existing file keeps its mode and content). */
export function touchPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/** The paths among `paths` that exist and that the group or others may use, with their modes (for a warning). */
export function accessibleToOthers(paths: readonly string[]): Array<{ path: string; mode: string }> {
  const out: Array<{ path: string; mode: string }> = [];
  for (const path of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) out.push({ path, mode: mode.toString(8).padStart(3, '0') });
  }
  return out;
}
