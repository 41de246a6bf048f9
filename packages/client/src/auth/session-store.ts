/**
 * Where a signed-in session's tokens live, and the lock that serialises its refreshes among
 * everyone sharing them. The server rotates refresh tokens and revokes a reused one's whole family
 * (every device of that login), so two tabs or two processes must never refresh with the same
 * token: each refresh runs inside {@link SessionStore.exclusive}, re-reads the store first, and
 * refreshes only when nobody else already did.
 */
import type { UserId } from '@caucus/schema';

export interface StoredSession {
  /** The server's origin the tokens belong to; they are never sent anywhere else. */
  url: string;
  user: { id: UserId; email: string; name: string };
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, ms since the epoch (from its `exp`). */
  accessExpiresAt: number;
  /** When it was issued, ms since the epoch (from its `iat`); refreshes are timed by its lifetime. */
  accessIssuedAt: number;
}

export interface SessionStore {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
  /**
   * Runs `task` while no one else sharing this store runs one: other callers in this process,
   * other tabs (Web Locks), other processes on the same state dir (a lock file).
   */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
}

/** Serialises tasks within one JavaScript realm. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/** Tokens in memory only (tests, short scripts): nothing survives the process. */
export function memorySessionStore(initial: StoredSession | null = null): SessionStore {
  let session = initial;
  const mutex = new Mutex();
  return {
    load: () => Promise.resolve(session),
    save: (next) => {
      session = next;
      return Promise.resolve();
    },
    clear: () => {
      session = null;
      return Promise.resolve();
    },
    exclusive: (task) => mutex.run(task),
  };
}

/** The claims of a JWT the client needs for timing refreshes; it does not (cannot) verify it. */
export function accessTokenTimes(token: string): { issuedAt: number; expiresAt: number } | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const { iat, exp } = JSON.parse(json) as { iat?: unknown; exp?: unknown };
    if (typeof exp !== 'number') return null;
    const issuedAt = typeof iat === 'number' ? iat * 1000 : exp * 1000;
    return { issuedAt, expiresAt: exp * 1000 };
  } catch {
    return null;
  }
}
