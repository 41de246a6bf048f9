/**
 * `@caucus/client/node`: the Node-only parts — a state dir on disk (tokens in files of mode 0600,
 * the outbox in SQLite) and the lock that processes sharing one state dir take. Kept out of the
 * universal entry so the browser bundle has no Node built-ins and no better-sqlite3.
 */
export { fileSessionStore, SESSION_FILE, SESSION_LOCK_FILE } from './auth/file-session-store.js';
export { LockTimeout, StateDirLock, LOCK_WAIT_MS } from './auth/state-dir-lock.js';
export { OUTBOX_DB_FILE, sqliteOutboxStore } from './outbox/sqlite-outbox-store.js';
