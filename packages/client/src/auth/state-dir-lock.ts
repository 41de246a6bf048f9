/**
 * A lock shared by every process using one state dir (Node only), for work that must never run
 * twice at once, such as refreshing a session.
 *
 * It is an exclusive transaction on a small SQLite file: SQLite takes an OS file lock, and the OS
 * releases it when the holder's process dies — however it dies (kill -9 included) — so a crashed
 * holder never leaves a stale lock to time out or guess about (pids can be reused; mtimes lie).
 * Waiting is polling with backoff (an OS lock has no "released" event to await), bounded by a
 * deadline so a wedged holder makes the waiter fail with a code instead of hanging.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Mutex } from './session-store.js';

/** Longest a caller waits for the lock before giving up with {@link LockTimeout}. */
export const LOCK_WAIT_MS = 30_000;
/** First pause between attempts; doubles up to {@link LOCK_POLL_MAX_MS}. */
const LOCK_POLL_MIN_MS = 5;
const LOCK_POLL_MAX_MS = 100;

/**
 * Connections holding a lock. A task can await a promise nothing else references (a process
 * that holds the lock until it is killed does): the task's frame, and with it the connection, is
 * then garbage, and better-sqlite3 closes a collected connection, which drops the OS lock while
 * the holder still runs. Held here, a connection lives until the task settles.
 */
const held = new Set<Database.Database>();

export class LockTimeout extends Error {
  override name = 'LockTimeout';
  readonly code = 'lock-timeout';
}

export class StateDirLock {
  readonly path: string;
  readonly #waitMs: number;
  /** Callers in this process queue here instead of polling the file against each other. */
  readonly #mutex = new Mutex();

  constructor(path: string, options: { waitMs?: number } = {}) {
    this.path = path;
    this.#waitMs = options.waitMs ?? LOCK_WAIT_MS;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      // timeout 0: SQLite's own busy wait would block the event loop.
      const db = new Database(this.path, { timeout: 0 });
      chmodSync(this.path, 0o600);
      try {
        await this.#acquire(db);
        held.add(db);
        try {
          return await task();
        } finally {
          held.delete(db);
          db.exec('ROLLBACK');
        }
      } finally {
        db.close();
      }
    });
  }

  async #acquire(db: Database.Database): Promise<void> {
    const deadline = Date.now() + this.#waitMs;
    let pause = LOCK_POLL_MIN_MS;
    for (;;) {
      try {
        db.exec('BEGIN EXCLUSIVE');
        return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'SQLITE_BUSY') throw err;
      }
      if (Date.now() >= deadline) {
        throw new LockTimeout(`${this.path} stayed locked for ${this.#waitMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(LOCK_POLL_MAX_MS, pause * 2);
    }
  }
}
