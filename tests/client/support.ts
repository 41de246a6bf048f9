/**
 * Helpers for the client's end-to-end tests: API tokens, Node clients on a test server (and `it`,
 * the e2e fixture with `newClient`, whose clients are closed after the file), and waiting on the
 * client's observable state (events, never sleeps).
 */
import type * as Y from 'yjs';
import { staticToken, type CaucusClient, type ClientStatus, type Observable } from '@caucus/client';
import { createNodeClient, type NodeClientOptions } from '@caucus/client/node';
import type { UserId } from '@caucus/schema';
import { test } from '../support/e2e.js';
import { api, type TestUser } from '../support/server.js';

/** A named API token for `user` (`POST /api/tokens`), as headless scripts use. */
export async function apiToken(url: string, user: TestUser, name = 'test script'): Promise<string> {
  const res = await api<{ token: string }>(url, 'POST', '/api/tokens', {
    token: user.accessToken,
    body: { name },
  });
  if (res.status !== 201) throw new Error(`POST /api/tokens: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** A Node client for `user` with an API token; memory storage unless a state dir is given. */
export function nodeClient(
  url: string,
  user: TestUser,
  token: string,
  options: Partial<NodeClientOptions> = {},
): CaucusClient {
  return createNodeClient({
    url,
    auth: staticToken(token),
    user: user.id as UserId,
    stateDir: null,
    ...options,
  });
}

/**
 * The e2e fixture (tests/support/e2e.ts) with `newClient(user, token, options?)`: `nodeClient` on
 * the file's server, closed after the file's last test.
 */
export const it = test.extend('newClient', { scope: 'file' }, ({ ts }, { onCleanup }) => {
  const clients: CaucusClient[] = [];
  onCleanup(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });
  return (user: TestUser, token: string, options: Partial<NodeClientOptions> = {}): CaucusClient => {
    const client = nodeClient(ts.url, user, token, options);
    clients.push(client);
    return client;
  };
});

/** Resolves once `check` holds for the observable's value; rejects after `timeoutMs`. */
export function waitFor<T>(
  observable: Observable<T>,
  check: (value: T) => boolean,
  what = 'a condition',
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (check(observable.current)) return resolve(observable.current);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const off = observable.subscribe((value) => {
      if (!check(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

export const online = (client: CaucusClient): Promise<ClientStatus> =>
  waitFor(client.status, (s) => s.connection === 'online', 'the client to be online');

/** Resolves once `check()` holds for `doc`, checked after each of its updates. */
export function docUntil(doc: Y.Doc, check: () => boolean, what = 'the document', timeoutMs = 20_000) {
  return new Promise<void>((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      doc.off('update', onUpdate);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const onUpdate = () => {
      if (!check()) return;
      clearTimeout(timer);
      doc.off('update', onUpdate);
      resolve();
    };
    doc.on('update', onUpdate);
  });
}
