/**
 * `@caucus/client/node`: the Node-only pieces — the SQLite state dir, the `ws` transport with
 * `Authorization: Bearer` — and `createNodeClient`, which uses them by default.
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
