/**
 * Whose a client's store is: the server origin it belongs to (documents of two servers never
 * mix) and the user it was written as, both kept in the store's meta table. The user is asked of
 * the server (`GET /api/me`) once and remembered, so a client restarted offline still knows it.
 */
import type { UserId } from '@caucus/schema';
import type { TokenSource } from './auth/token-source.js';
import type { ClientProblem } from './client-status.js';
import { ClientError } from './errors.js';
import type { ClientStorage } from './storage/types.js';

/** Meta key of the server origin a store belongs to. */
const META_SERVER = 'server';
/** Meta key of the user id the store was written as. */
const META_USER = 'user';

/**
 * Claims an unclaimed store for `url`; the problem to report when the store belongs to another
 * server, else null. A store that cannot be read is left as it is (the documents will say so).
 */
export async function checkStoreServer(storage: ClientStorage, url: string): Promise<ClientProblem | null> {
  const server = await storage.meta.get(META_SERVER).catch(() => null);
  if (server === null) await storage.meta.set(META_SERVER, url).catch(() => undefined);
  else if (server !== url)
    return { code: 'state-dir-mismatch', message: `this store belongs to ${server}, not ${url}` };
  return null;
}

/** The user the store was written as, else the server's answer to `GET /api/me` (then remembered). */
export async function lookUpUser(storage: ClientStorage, url: string, auth: TokenSource): Promise<UserId> {
  const remembered = await storage.meta.get(META_USER);
  if (remembered) return remembered as UserId;
  let response: Response;
  try {
    response = await fetch(`${url}/api/me`, {
      headers: { authorization: `Bearer ${await auth.token()}` },
    });
  } catch {
    throw new ClientError('user-unknown', 'the user is not known yet and the server cannot be reached');
  }
  const body = (await response.json().catch(() => null)) as { user?: { id?: unknown } } | null;
  const id = body?.user?.id;
  if (!response.ok || typeof id !== 'string')
    throw new ClientError('user-unknown', `GET /api/me answered ${response.status}`);
  await storage.meta.set(META_USER, id);
  return id as UserId;
}
