/**
 * `@caucus/client/node`: the Node-only pieces — the SQLite state dir (documents, the outbox,
 * tokens in files of mode 0600), the lock processes sharing one state dir take, the `ws`
 * transport with `Authorization: Bearer` — and `createNodeClient`, which uses them by default.
 * Kept out of the universal entry so the browser bundle has no Node built-ins and no
 * better-sqlite3.
 */
import { createClient, type CaucusClient, type ClientOptions } from './client.js';
import { sqliteStorage } from './storage/sqlite.js';
import { nodeTransport } from './sync/node-transport.js';

export { sqliteStorage, defaultStateDir, STATE_DB_FILE, type SqliteStorage } from './storage/sqlite.js';
export { nodeTransport } from './sync/node-transport.js';
export { FileUrlStorage, URL_STORE_FILE } from './uploads/node-url-storage.js';

export interface NodeClientOptions extends Omit<ClientOptions, 'storage'> {
  /** The state dir (SQLite); `defaultStateDir()` when omitted, memory when `null`. */
  stateDir?: string | null;
  storage?: ClientOptions['storage'];
}

/** A client with Node defaults: the `ws` transport and a SQLite state dir. */
export function createNodeClient(options: NodeClientOptions): CaucusClient {
  const { stateDir, storage: given, ...rest } = options;
  const storage = given ?? (stateDir === null ? undefined : sqliteStorage(stateDir ?? undefined));
  return createClient({
    ...rest,
    transport: rest.transport ?? nodeTransport(),
    ...(storage ? { storage } : {}),
  });
}
export { fileSessionStore, SESSION_FILE, SESSION_LOCK_FILE } from './auth/file-session-store.js';
export { LockTimeout, StateDirLock, LOCK_WAIT_MS } from './auth/state-dir-lock.js';
export { OUTBOX_DB_FILE, sqliteOutboxStore } from './outbox/sqlite-outbox-store.js';
