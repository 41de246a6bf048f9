/**
 * Limits, token lifetime, revocation and shutdown on the sync endpoint. The tests with the default
 * settings share the file's server (the e2e fixture); a test that needs limits of its own, a short
 * token lifetime or a server it stops and starts again runs its own server, stopped after it.
 */
import { afterEach, describe, expect } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { CLOSE_CODES, MESSAGE_TYPES, decodeRefusal } from '@caucus/schema';
import { it } from '../support/e2e.js';
import {
  api,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../support/server.js';
import { connectClient, nextClose, synced, until } from '../support/providers.js';
import { RawClient } from '../support/raw-client.js';

/** The server of the running test's own, if it has one. */
let own: TestServer | null = null;

/** The reason text of a y-protocols `PermissionDenied` message. */
function readPermissionDenied(frame: Uint8Array): string {
  const d = decoding.createDecoder(frame);
  decoding.readVarUint(d);
  decoding.readVarUint(d);
  return decoding.readVarString(d);
}

afterEach(async () => {
  await own?.stop();
  own = null;
});

/** A user with a thread of theirs on `ts`, and the thread's sync URL with their token. */
async function writerOn(ts: TestServer) {
  const user = await signup(ts.url, 'writer');
  const threadId = await createThread(ts.url, user);
  const docUrl = `${ts.wsUrl}/thread:${threadId}?token=${user.accessToken}`;
  return { user, threadId, docUrl };
}

/** A server of the test's own with `options`, and a writer on it. */
async function setup(options: TestServerOptions = {}) {
  own = await startTestServer(options);
  return { ts: own, ...(await writerOn(own)) };
}

describe('limits, each with its close code', () => {
  it('closes with 1009 on a frame over the frame limit', async () => {
    const { docUrl } = await setup({ limits: { maxFrameBytes: 1024 } });
    const raw = await RawClient.open(docUrl);
    raw.send(new Uint8Array(4096));
    expect((await raw.closed).code).toBe(CLOSE_CODES.frameTooLarge);
  });

  it('refuses an update over the update limit with PermissionDenied, then closes with 4413', async () => {
    const { docUrl } = await setup({ limits: { maxUpdateBytes: 1024 } });
    const raw = await RawClient.open(docUrl);
    const doc = new Y.Doc();
    await raw.syncInto(doc);
    const before = Y.encodeStateVector(doc);
    doc.getText('body').insert(0, 'x'.repeat(5000));
    const denied = raw.next((type) => type === MESSAGE_TYPES.auth);
    raw.sendUpdate(Y.encodeStateAsUpdate(doc, before));
    expect(await raw.closed).toEqual({ code: CLOSE_CODES.tooLarge, reason: 'update-too-large' });
    // The refusal came first (the close is the last frame), with its code.
    const refusal = decodeRefusal(readPermissionDenied(await denied));
    expect(refusal?.code).toBe('update-too-large');
  });

  it('refuses growth past the document limit', async () => {
    const { docUrl } = await setup({ limits: { maxDocBytes: 4096 } });
    const raw = await RawClient.open(docUrl);
    const doc = new Y.Doc();
    await raw.syncInto(doc);
    const before = Y.encodeStateVector(doc);
    doc.getText('body').insert(0, 'y'.repeat(5000));
    const denied = raw.next((type) => type === MESSAGE_TYPES.auth);
    raw.sendUpdate(Y.encodeStateAsUpdate(doc, before));
    expect(new TextDecoder().decode(await denied)).toContain('doc-too-large');
    expect(await raw.closed).toEqual({ code: CLOSE_CODES.tooLarge, reason: 'doc-too-large' });
  });

  it('closes with 4429 when a connection sends too many messages', async () => {
    const { docUrl } = await setup({ limits: { messagesPerSecond: 20 } });
    const raw = await RawClient.open(docUrl);
    const query = new Uint8Array([MESSAGE_TYPES.queryAwareness]);
    for (let i = 0; i < 200; i++) raw.send(query);
    expect(await raw.closed).toEqual({ code: CLOSE_CODES.rateLimited, reason: 'rate-limited' });
  });

  it('closes with 4400 on a text frame and on an unknown message type', async ({ ts }) => {
    const { docUrl } = await writerOn(ts);
    const text = await RawClient.open(docUrl);
    text.ws.send('hello');
    expect((await text.closed).code).toBe(CLOSE_CODES.malformed);
    const unknown = await RawClient.open(docUrl);
    unknown.send(new Uint8Array([77, 1, 2]));
    expect((await unknown.closed).code).toBe(CLOSE_CODES.malformed);
  });

  it('limits open connections per user (429 at upgrade)', async () => {
    const { docUrl } = await setup({ limits: { maxConnectionsPerUser: 2 } });
    const a = await RawClient.open(docUrl);
    const b = await RawClient.open(docUrl);
    await expect(RawClient.open(docUrl)).rejects.toThrow('429');
    a.close();
    await a.closed;
    b.close();
  });
});

describe('token lifetime', () => {
  it('closes a connection with 4401 when its token expires, and a refreshed token reconnects', async () => {
    const { ts: server, user, threadId } = await setup({ accessTokenTtlSeconds: 2 });
    const c = connectClient(server.wsUrl, `thread:${threadId}`, user.accessToken);
    try {
      await synced(c);
      const closed = await nextClose(c);
      expect(closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-expired' });
      // 44xx is terminal for the official client: it waits for a new token instead of retrying.
      expect(c.provider.shouldConnect).toBe(false);
      const refreshed = await api<{ accessToken: string }>(server.url, 'POST', '/api/auth/refresh', {
        body: { refreshToken: user.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      c.provider.params = { token: refreshed.body.accessToken };
      c.provider.connect();
      await synced(c);
      c.doc.getText('body').insert(0, 'after refresh');
      const other = connectClient(server.wsUrl, `thread:${threadId}`, refreshed.body.accessToken);
      await synced(other);
      await until(other.doc, () => other.doc.getText('body').toJSON() === 'after refresh');
      other.destroy();
    } finally {
      c.destroy();
    }
  });
});

describe('revocation', () => {
  it('closes open connections of a session at logout, and of an API token when it is revoked', async ({
    ts: server,
  }) => {
    const { user, docUrl, threadId } = await writerOn(server);
    const session = await RawClient.open(docUrl);
    const made = await api<{ id: string; token: string }>(server.url, 'POST', '/api/tokens', {
      token: user.accessToken,
      body: { name: 'script' },
    });
    expect(made.status).toBe(201);
    const script = await RawClient.open(`${server.wsUrl}/thread:${threadId}?token=${made.body.token}`);
    const revoke = await api(server.url, 'DELETE', `/api/tokens/${made.body.id}`, {
      token: user.accessToken,
    });
    expect(revoke.status).toBe(204);
    expect(await script.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-revoked' });
    const logout = await api(server.url, 'POST', '/api/auth/logout', {
      body: { refreshToken: user.refreshToken },
    });
    expect(logout.status).toBe(204);
    expect(await session.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-revoked' });
    await expect(RawClient.open(docUrl)).rejects.toThrow('401');
  });
});

describe('graceful shutdown', () => {
  it('closes connections with 1001 and keeps every acknowledged update across the restart', async () => {
    const { ts: server, docUrl, user, threadId } = await setup();
    const raw = await RawClient.open(docUrl + '&acks=1');
    const doc = new Y.Doc();
    await raw.syncInto(doc);
    const before = Y.encodeStateVector(doc);
    doc.getText('body').insert(0, 'last words');
    const ack = raw.next((type) => type === MESSAGE_TYPES.durableAck);
    raw.sendUpdate(Y.encodeStateAsUpdate(doc, before));
    await ack;
    const stopping = server.server.close();
    expect((await raw.closed).code).toBe(CLOSE_CODES.goingAway);
    await stopping;
    own = await startTestServer({ dataDir: server.dataDir });
    const again = await RawClient.open(`${own.wsUrl}/thread:${threadId}?token=${user.accessToken}`);
    const restored = new Y.Doc();
    await again.syncInto(restored);
    expect(restored.getText('body').toJSON()).toBe('last words');
    expect(restored.getMap('meta').get('title')).toBe('A thread');
    again.close();
  });
});
