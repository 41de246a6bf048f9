/**
 * Tokens on the one socket: a session's short-lived access token is renewed on the open socket
 * (`auth` frame) before it expires, so nothing reconnects; a client that does not renew is closed
 * with 4401 at expiry, gets a new token from its TokenSource and comes back with every
 * subscription. The TokenSource here is a minimal session over /api/auth/refresh (the real one,
 * serialised across tabs and processes, is in packages/client/src/auth).
 */
import { describe, expect } from 'vitest';
import { Store, type TokenSource } from '@caucus/client';
import { createNodeClient } from '@caucus/client/node';
import type { UserId } from '@caucus/schema';
import { health } from '../sync/mux-support.js';
import { it } from '../support/e2e.js';
import { synced, until } from '../support/providers.js';
import { api, createThread, signup, type TestUser } from '../support/server.js';
import { docUntil, online, waitFor } from './support.js';

const TTL_SECONDS = 4;

it.override('serverOptions', { accessTokenTtlSeconds: TTL_SECONDS });

/** The `exp` of a JWT, in ms. */
function expiryOf(jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { exp: number };
  return payload.exp * 1000;
}

/** A minimal session for `user` over the server at `url`'s /api/auth/refresh. */
function session(url: string, user: TestUser, { announceExpiry }: { announceExpiry: boolean }) {
  let access = user.accessToken;
  let refreshToken = user.refreshToken;
  let expiresAt = expiryOf(access);
  const refreshed: string[] = [];
  const renewals = new Store(0);
  const source: TokenSource = {
    token: () => Promise.resolve(access),
    async refresh(rejected) {
      if (rejected !== access) return access;
      const res = await api<{ accessToken: string; refreshToken: string }>(url, 'POST', '/api/auth/refresh', {
        body: { refreshToken },
      });
      if (res.status !== 200) throw new Error(`refresh: ${res.status}`);
      access = res.body.accessToken;
      refreshToken = res.body.refreshToken;
      expiresAt = expiryOf(access);
      refreshed.push(access);
      renewals.set(refreshed.length);
      return access;
    },
    expiresAt: () => (announceExpiry ? expiresAt : null),
  };
  return { source, refreshed, renewals };
}

describe('tokens on the multiplexed socket', { timeout: 60_000 }, () => {
  it('renews the token on the open socket before it expires: no reconnect', async ({ ts }) => {
    // Its own account: a fresh access token, and a refresh token no other test rotates.
    const ada = await signup(ts.url, 'ada');
    const firstExpiry = expiryOf(ada.accessToken);
    const threadId = await createThread(ts.url, ada);
    const { source, renewals } = session(ts.url, ada, { announceExpiry: true });
    const client = createNodeClient({ url: ts.url, auth: source, stateDir: null, user: ada.id as UserId });
    try {
      const thread = client.thread(threadId);
      await thread.whenSynced;
      const drops: string[] = [];
      client.status.subscribe((s) => s.connection !== 'online' && drops.push(s.connection));
      await waitFor(renewals, (n) => n >= 1, 'a renewal', 15_000);
      // The first token's expiry passes (the server would close its socket then with 4401).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstExpiry - Date.now()) + 1500));
      expect(drops).toEqual([]);
      expect(client.status.current.connection).toBe('online');
      await thread.post('still the same socket');
      await client.flush();
      expect((await health(ts.url)).sockets).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('on close 4401 gets a new token and reconnects with every subscription', async ({ ts, connect }) => {
    const ada = await signup(ts.url, 'ada');
    const threads = await Promise.all([createThread(ts.url, ada), createThread(ts.url, ada)]);
    const { source, refreshed, renewals } = session(ts.url, ada, { announceExpiry: false });
    const client = createNodeClient({ url: ts.url, auth: source, stateDir: null, user: ada.id as UserId });
    try {
      const views = threads.map((id) => client.thread(id));
      await Promise.all(views.map((v) => v.whenSynced));
      const states: string[] = [];
      client.status.subscribe((s) => states.at(-1) !== s.connection && states.push(s.connection));
      await waitFor(renewals, (n) => n === 1, 'a refresh after 4401', 15_000);
      await online(client);
      expect(states).toContain('offline');
      expect(states.at(-1)).toBe('online');

      // Both documents are subscribed again: edits from elsewhere arrive, ours are acknowledged.
      const [first, second] = views;
      const y = connect(refreshed[0] ?? '', `thread:${threads[1]}`);
      await synced(y);
      y.doc.getText('body').insert(0, 'from the official client');
      await docUntil(second!.doc, () => second!.body() === 'from the official client');
      await first!.post('after the reconnect');
      await client.flush();
      const check = connect(refreshed[0] ?? '', `thread:${threads[0]}`);
      await synced(check);
      await until(check.doc, () => check.doc.getArray('messages').length === 1);
    } finally {
      await client.close();
    }
  });
});
