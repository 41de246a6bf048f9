/**
 * Browser: a session kept in IndexedDB (not `localStorage`, which any script of the origin reads
 * synchronously), refreshes serialised across the origin's tabs with the Web Lock
 * `caucus-session:<database>`.
 */
import { sharedKeyValueDb } from '../storage/idb.js';
import type { SessionStore, StoredSession } from './session-store.js';
import { webLock } from './web-locks.js';

export const SESSION_DB_NAME = 'caucus-session';
const STORES = ['session'];
const KEY = 'current';

export function indexedDbSessionStore(dbName: string = SESSION_DB_NAME): SessionStore {
  const db = () => sharedKeyValueDb(dbName, STORES);
  return {
    async load() {
      const value = (await db().run('session', 'readonly', (s) => s.get(KEY))) as StoredSession | undefined;
      return value && typeof value.refreshToken === 'string' ? value : null;
    },
    async save(session) {
      await db().run('session', 'readwrite', (s) => s.put(session, KEY));
    },
    async clear() {
      await db().run('session', 'readwrite', (s) => s.delete(KEY));
    },
    exclusive: webLock(`caucus-session:${dbName}`),
  };
}
