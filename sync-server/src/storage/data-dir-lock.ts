/**
 * One server per data directory. Two processes appending to one update log interleave sequence
 * numbers, and each keeps its own in-memory documents: the database ends up with conflicting
 * content. So a server holds a lock on `<dataDir>/caucus.lock` for as long as it runs, and a
 * second one exits before it opens the database, naming the process that holds it.
 *
 * The lock is SQLite's own (POSIX advisory locks), held by an open connection: the operating
 * system drops it whenever the process ends, kill -9 included, so a lock is never stale and no
 * one has to clean up after a crash. The holder keeps a RESERVED lock (a write transaction that
 * never commits), which still lets others read the file: it holds the holder's pid, for the
 * message.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { touchPrivateFile } from './file-modes.js';

export const LOCK_FILE = 'caucus.lock';

/** How long a start waits for a lock that a reader (another start reading the pid) holds briefly. */
const BUSY_TIMEOUT_MS = 1000;
/** Takes over a lock freed between another start's write of its pid and its hold (a race). */
const MAX_ATTEMPTS = 5;

/** The data directory is in use by another running server. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  readonly code = 'data-dir-locked';
  readonly holderPid: number | null;

  constructor(dataDir: string, holderPid: number | null) {
    const who = holderPid === null ? 'another caucus server' : `another caucus server (pid ${holderPid})`;
    super(`the data directory ${dataDir} is in use by ${who}; stop it first, or use another data directory`);
    this.holderPid = holderPid;
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Frees the lock (at shutdown, after the database is closed). Idempotent. */
  release(): void;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Takes the data directory's lock for this process's life, or throws `DataDirLockedError`. */
export function lockDataDir(dataDir: string, pid: number = process.pid): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  touchPrivateFile(path);
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    // A rollback journal (not WAL): a RESERVED lock then blocks other writers but not readers.
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, started_at TEXT NOT NULL)');
    const holderPid = () =>
      (db.prepare('SELECT pid FROM holder LIMIT 1').get() as { pid: number } | undefined)?.pid ?? null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        db.exec('BEGIN EXCLUSIVE');
      } catch (err) {
        if (isBusy(err)) throw new DataDirLockedError(dataDir, holderPid());
        throw err;
      }
      db.exec('DELETE FROM holder');
      db.prepare('INSERT INTO holder (pid, started_at) VALUES (?, ?)').run(pid, new Date().toISOString());
      db.exec('COMMIT');
      try {
        // The hold: nobody else can write (nor take this lock) until this connection goes away.
        db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        if (isBusy(err)) throw new DataDirLockedError(dataDir, holderPid());
        throw err;
      }
      // Another start may have written its pid between the commit above and the hold: then the
      // lock is ours but the pid is not, and the write is tried again.
      if (holderPid() === pid) {
        let released = false;
        return {
          path,
          release() {
            if (released) return;
            released = true;
            db.close();
          },
        };
      }
      db.exec('ROLLBACK');
    }
    throw new DataDirLockedError(dataDir, holderPid());
  } catch (err) {
    db.close();
    throw err;
  }
}
