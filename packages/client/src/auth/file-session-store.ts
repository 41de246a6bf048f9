/**
 * Node: a session kept in the state dir — `session.json`, mode 0600 in a 0700 dir, replaced
 * atomically (temporary file, then rename) so a process killed mid-write leaves the old tokens or
 * the new ones, never half — with refreshes serialised across processes by `session.lock`.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Mutex, type SessionStore, type StoredSession } from './session-store.js';
import { StateDirLock } from './state-dir-lock.js';

export const SESSION_FILE = 'session.json';
export const SESSION_LOCK_FILE = 'session.lock';
/** Who alone may read the tokens: their owner. */
export const SECRET_FILE_MODE = 0o600;
export const STATE_DIR_MODE = 0o700;

let tempCounter = 0;

export function fileSessionStore(stateDir: string): SessionStore {
  const path = join(stateDir, SESSION_FILE);
  const lock = new StateDirLock(join(stateDir, SESSION_LOCK_FILE));
  // Writes of one process never interleave; across processes, refreshes hold `lock`.
  const writes = new Mutex();
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      return parseSession(text);
    },
    save(session) {
      return writes.run(async () => {
        await mkdir(stateDir, { recursive: true, mode: STATE_DIR_MODE });
        const temp = `${path}.${process.pid}.${++tempCounter}.tmp`;
        await writeFile(temp, JSON.stringify(session), { mode: SECRET_FILE_MODE });
        await rename(temp, path);
      });
    },
    clear() {
      return writes.run(() => rm(path, { force: true }));
    },
    exclusive: (task) => lock.run(task),
  };
}

/** A stored session, or null for a file that is not one (it is then as good as signed out). */
function parseSession(text: string): StoredSession | null {
  try {
    const value = JSON.parse(text) as Partial<StoredSession>;
    const user = value.user as Partial<StoredSession['user']> | undefined;
    const fine =
      typeof value.url === 'string' &&
      typeof value.accessToken === 'string' &&
      typeof value.refreshToken === 'string' &&
      typeof value.accessExpiresAt === 'number' &&
      typeof value.accessIssuedAt === 'number' &&
      typeof user?.id === 'string' &&
      typeof user.email === 'string' &&
      typeof user.name === 'string';
    return fine ? (value as StoredSession) : null;
  } catch {
    return null;
  }
}
