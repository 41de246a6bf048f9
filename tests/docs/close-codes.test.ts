/**
 * What docs/PROTOCOL.md says about the official clients and 44xx close codes: y-websocket 3 takes
 * 4400–4499 as final (it stops and emits `closed`), y-websocket 1 reconnects after every close, so
 * a v1 client whose token was revoked keeps trying (each attempt refused with 401).
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { WebsocketProvider as LegacyProvider } from 'y-websocket-legacy';
import { describe, expect } from 'vitest';
import { CLOSE_CODES } from '@caucus/schema';
import { it } from '../support/e2e.js';
import { api, createThread, signup, type TestServer } from '../support/server.js';

/** A thread and an API token for it that the test can revoke. */
async function revocableToken(
  ts: TestServer,
): Promise<{ docName: string; token: string; revoke: () => Promise<void> }> {
  const user = await signup(ts.url);
  const docName = `thread:${await createThread(ts.url, user)}`;
  const made = await api<{ id: string; token: string }>(ts.url, 'POST', '/api/tokens', {
    token: user.accessToken,
    body: { name: 'revoked in a test' },
  });
  expect(made.status).toBe(201);
  return {
    docName,
    token: made.body.token,
    revoke: async () => {
      const res = await api(ts.url, 'DELETE', `/api/tokens/${made.body.id}`, { token: user.accessToken });
      expect(res.status).toBe(204);
    },
  };
}

describe('44xx close codes and the official clients (docs/PROTOCOL.md, "Close codes")', () => {
  it('y-websocket 3 stops after 4401 and emits `closed`', async ({ ts }) => {
    const { docName, token, revoke } = await revocableToken(ts);
    const provider = new WebsocketProvider(ts.wsUrl, docName, new Y.Doc(), {
      params: { token },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 50,
    });
    try {
      await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
      const closed = new Promise<{ code: number }>((resolve) => provider.once('closed', (e) => resolve(e)));
      await revoke();
      expect((await closed).code).toBe(CLOSE_CODES.unauthorized);
      expect(provider.shouldConnect).toBe(false);
      expect(provider.ws).toBeNull();
    } finally {
      provider.destroy();
    }
  });

  it('y-websocket 1 reconnects after 4401, and is refused again', async ({ ts }) => {
    const { docName, token, revoke } = await revocableToken(ts);
    const provider = new LegacyProvider(ts.wsUrl, docName, new Y.Doc(), {
      params: { token },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 50,
    });
    try {
      await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
      const codes: number[] = [];
      const twoCloses = new Promise<void>((resolve) =>
        provider.on('connection-close', (event: { code: number } | null) => {
          codes.push(event?.code ?? -1);
          if (codes.length === 2) resolve();
        }),
      );
      await revoke();
      await twoCloses;
      // The revocation's close, then a new attempt that the upgrade refused (401: the socket
      // never opened, so the client sees 1006).
      expect(codes).toEqual([CLOSE_CODES.unauthorized, 1006]);
      expect(provider.shouldConnect).toBe(true);
    } finally {
      provider.destroy();
    }
  });
});
