/**
 * Many documents on one connection (`caucus.mux.v1`, docs/PROTOCOL.md): a real server on port 0
 * and a raw mux client. Access, role changes and limits act on one document, never the socket.
 * The tests with the default settings share the file's server (the e2e fixture); the endpoint's
 * limits and the short token lifetime each take a server of their own (file-scoped fixtures too).
 */
import { afterEach, describe, expect } from 'vitest';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import type * as awarenessProtocol from 'y-protocols/awareness';
import {
  CLOSE_CODES,
  MUX_CLOSE,
  MUX_SUBPROTOCOL,
  decodeRefusal,
  parseDocName,
  type DocName,
  type DocRef,
} from '@caucus/schema';
import { test } from '../support/e2e.js';
import { connectClient, synced, until } from '../support/providers.js';
import { MuxClient, framesOf } from '../support/mux-client.js';
import {
  addMember,
  api,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestServerOptions,
  type TestUser,
} from '../support/server.js';
import { one } from '../governance/support.js';
import { createThreads, edit, health, nextAck, nextDenied } from './mux-support.js';

/** A server with `options` over the file's, stopped after the file. */
async function serverWith(
  serverOptions: TestServerOptions,
  options: TestServerOptions,
  onCleanup: (stop: () => Promise<void>) => void,
): Promise<TestServer> {
  const ts = await startTestServer({ ...serverOptions, ...options });
  onCleanup(() => ts.stop());
  return ts;
}

const it = test
  .extend('cappedTs', { scope: 'file' }, ({ serverOptions }, { onCleanup }) =>
    serverWith(serverOptions, { limits: { maxDocsPerConnection: 3, maxConnectionsPerUser: 2 } }, onCleanup),
  )
  .extend('shortTokenTs', { scope: 'file' }, ({ serverOptions }, { onCleanup }) =>
    serverWith(serverOptions, { accessTokenTtlSeconds: 3 }, onCleanup),
  );

const open: MuxClient[] = [];
const connect = async (ts: TestServer, token: string, via?: Parameters<typeof MuxClient.open>[2]) => {
  const client = await MuxClient.open(ts.wsUrl, token, via);
  open.push(client);
  return client;
};

afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});

function reason(denied: { type: string; message?: Uint8Array }): string {
  const d = decoding.createDecoder((denied as { message: Uint8Array }).message);
  decoding.readVarUint(d);
  decoding.readVarUint(d);
  return decoding.readVarString(d);
}

describe('200 documents on one socket', () => {
  let alice: TestUser;
  let bob: TestUser;
  let mine: string[];
  let shared: string;
  let foreign: string;

  it.beforeAll(async ({ ts }) => {
    alice = await signup(ts.url, 'alice');
    bob = await signup(ts.url, 'bob');
    const carol = await signup(ts.url, 'carol');
    mine = (await createThreads(ts.url, alice, 199)).map((id) => `thread:${id}`);
    await addMember(ts.url, bob, bob.workspaceId, alice, 'editor');
    shared = `thread:${await createThread(ts.url, bob)}`;
    foreign = `thread:${await createThread(ts.url, carol)}`;
  }, 60_000);

  it('subscribes in one frame, refuses alone what it must, downgrades and drops one document', async ({
    ts,
  }) => {
    const before = await health(ts.url);
    const client = await connect(ts, alice.accessToken);
    expect(client.protocol).toBe(MUX_SUBPROTOCOL);
    const docs = [...mine, shared];
    const refusedForeign = client.nextClosed(foreign);
    const refusedName = client.nextClosed('thread:not a name');
    const entries = client.subscribe([...docs, foreign, 'thread:not a name'], { acks: true });
    await Promise.all(entries.slice(0, 200).map((e) => e.synced));
    expect(await refusedForeign).toMatchObject({ code: MUX_CLOSE.forbidden, reason: 'no-access' });
    expect(await refusedName).toMatchObject({ code: MUX_CLOSE.notFound, reason: 'not-a-document' });
    const subscribed = framesOf(client, 'subscribed');
    expect(subscribed.map((s) => s.doc).sort()).toEqual([...docs].sort());
    expect(subscribed.every((s) => s.access === 'write')).toBe(true);
    // The server's seeded title came with the sync.
    expect(
      client.docs
        .get(mine[0] as string)
        ?.doc.getMap('meta')
        .get('title'),
    ).toBe('thread 0');
    const during = await health(ts.url);
    expect(during.sockets - before.sockets).toBe(1);
    expect(during.connections - before.connections).toBe(200);

    // Every document is writable: 200 edits, 200 durable acks.
    const acks = docs.map((doc) => nextAck(client, doc));
    for (const doc of docs) edit(client, doc, 'written over one socket');
    await Promise.all(acks);

    // Bob makes Alice a viewer of his workspace: its one document turns read-only.
    const access = client.next((m) => m.type === 'access' && m.doc === shared);
    const demoted = await one(ts, bob, {
      type: 'member.setRole',
      args: { workspaceId: bob.workspaceId, userId: alice.id, role: 'viewer' },
      basis: { status: 'editor' },
    });
    expect(demoted.status).toBe('accepted');
    expect(await access).toEqual({ type: 'access', doc: shared, access: 'read' });
    const denied = nextDenied(client, shared);
    edit(client, shared, 'after the demotion');
    expect(decodeRefusal(reason(await denied))?.code).toBe('read-only');
    const stillWritable = mine.map((doc) => nextAck(client, doc));
    for (const doc of mine) edit(client, doc, 'still writable');
    await Promise.all(stillWritable);

    // Removed from Bob's workspace: that document is closed, the socket stays.
    const dropped = client.nextClosed(shared);
    const removed = await one(ts, bob, {
      type: 'member.remove',
      args: { workspaceId: bob.workspaceId, userId: alice.id },
    });
    expect(removed.status).toBe('accepted');
    expect(await dropped).toMatchObject({ code: CLOSE_CODES.forbidden, reason: 'access-revoked' });
    const last = nextAck(client, mine[0] as string);
    edit(client, mine[0] as string, 'after the removal');
    await last;
    expect(
      framesOf(client, 'closed')
        .map((c) => c.doc)
        .sort(),
    ).toEqual([foreign, shared, 'thread:not a name'].sort());
    const after = await health(ts.url);
    expect(after.sockets - before.sockets).toBe(1);
    expect(after.connections - before.connections).toBe(199);

    const first = mine[0] as DocName;
    const stored = await ts.server.hub.read(first, parseDocName(first) as DocRef, (d) =>
      d.getMap('meta').get('intent'),
    );
    expect(stored).toBe('after the removal');
  });
});

describe('the endpoint', () => {
  it.for(['query', 'bearer', 'subprotocol'] as const)(
    'takes the token by %s and answers caucus.mux.v1',
    async (via, { cappedTs: ts }) => {
      const user = await signup(ts.url, `via-${via}`);
      const client = await connect(ts, user.accessToken, via);
      expect(client.protocol).toBe(MUX_SUBPROTOCOL);
      const pong = client.next((m) => m.type === 'pong');
      client.send({ type: 'ping', id: 41 });
      expect(await pong).toEqual({ type: 'pong', id: 41 });
    },
  );

  it('refuses a bad token (401), a foreign Origin (403), a missing subprotocol (400), a full user (429)', async ({
    cappedTs: ts,
  }) => {
    const user = await signup(ts.url, 'refused');
    await expect(MuxClient.open(ts.wsUrl, 'not-a-token')).rejects.toThrow('401');
    await expect(MuxClient.open(ts.wsUrl, user.accessToken, 'bearer', ['caucus.v1'])).rejects.toThrow('400');
    const foreignOrigin = await new Promise<number>((resolve) => {
      const ws = new WebSocket(ts.wsUrl, [MUX_SUBPROTOCOL], {
        headers: { authorization: `Bearer ${user.accessToken}`, origin: 'https://evil.example' },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(foreignOrigin).toBe(403);
    await connect(ts, user.accessToken);
    await connect(ts, user.accessToken);
    await expect(MuxClient.open(ts.wsUrl, user.accessToken)).rejects.toThrow('429');
  });

  it('caps documents per socket (4409) and releases one on unsubscribe (1000)', async ({ cappedTs: ts }) => {
    const user = await signup(ts.url, 'capped');
    const thread = `thread:${await createThread(ts.url, user)}`;
    const ids = await createThreads(ts.url, user, 4);
    const names = ids.map((id) => `thread:${id}`);
    const client = await connect(ts, user.accessToken);
    const over = client.nextClosed(names[3] as string);
    const entries = client.subscribe(names);
    expect(await over).toMatchObject({ code: MUX_CLOSE.tooManyDocuments, reason: 'too-many-documents' });
    await Promise.all(entries.slice(0, 3).map((e) => e.synced));
    const before = await health(ts.url);
    const gone = client.nextClosed(names[0] as string);
    client.unsubscribe([names[0] as string]);
    expect(await gone).toMatchObject({ code: MUX_CLOSE.unsubscribed, reason: 'unsubscribed' });
    expect((await health(ts.url)).connections).toBe(before.connections - 1);
    const now = client.next((m) => m.type === 'subscribed' && m.doc === thread);
    client.subscribe([thread]);
    expect(await now).toEqual({ type: 'subscribed', doc: thread, access: 'write' });
  });

  it('closes the socket with 4400 on a malformed frame and on a text frame', async ({ cappedTs: ts }) => {
    const user = await signup(ts.url, 'malformed');
    const garbage = await connect(ts, user.accessToken);
    garbage.sendRaw(new Uint8Array([9, 9, 9]));
    expect(await garbage.closed).toEqual({ code: CLOSE_CODES.malformed, reason: 'malformed-frame' });
    const text = await connect(ts, user.accessToken);
    text.ws.send('hello');
    expect(await text.closed).toEqual({ code: CLOSE_CODES.malformed, reason: 'text-frame' });
  });
});

describe('beside the official client', () => {
  it('y-websocket on /sync/<doc> and a mux client on one thread converge, awareness too', async ({ ts }) => {
    const user = await signup(ts.url, 'both');
    const thread = `thread:${await createThread(ts.url, user)}`;
    const official = connectClient(ts.wsUrl, thread, user.accessToken);
    try {
      await synced(official);
      const client = await connect(ts, user.accessToken);
      const [entry] = client.subscribe([thread]);
      if (!entry) throw new Error('no entry');
      await entry.synced;
      official.doc.getText('body').insert(0, 'from y-websocket');
      await until(entry.doc, () => entry.doc.getText('body').toJSON() === 'from y-websocket');
      entry.doc.getText('body').insert(0, 'from mux, ');
      const both = 'from mux, from y-websocket';
      await until(official.doc, () => official.doc.getText('body').toJSON() === both);

      const seen = untilState(entry.awareness, official.doc.clientID, (s) => s?.cursor === 1);
      official.provider.awareness.setLocalStateField('cursor', 1);
      const state = await seen;
      // The server fills `user` from the token, whoever announces.
      expect(state?.user).toMatchObject({ id: user.id, name: 'both' });
      const back = untilState(official.provider.awareness, entry.doc.clientID, (s) => s?.cursor === 2);
      entry.awareness.setLocalState({ cursor: 2 });
      expect((await back)?.user).toMatchObject({ id: user.id });
    } finally {
      official.destroy();
    }
  });
});

type State = Record<string, unknown> | undefined;

/** Waits until the clock reads `ms` (for token lifetimes, which no event marks). */
const sleepUntil = (ms: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));

/** Resolves with `clientId`'s state in `awareness` once `check` holds for it. */
function untilState(
  awareness: awarenessProtocol.Awareness,
  clientId: number,
  check: (state: State) => boolean,
): Promise<State> {
  const current = () => awareness.getStates().get(clientId) as State;
  if (check(current())) return Promise.resolve(current());
  return new Promise((resolve) => {
    const onChange = () => {
      if (!check(current())) return;
      awareness.off('change', onChange);
      resolve(current());
    };
    awareness.on('change', onChange);
  });
}

describe('tokens on a multiplexed socket', () => {
  it('closes with 4401 when the token expires', async ({ shortTokenTs: ts }) => {
    const user = await signup(ts.url, 'expiring');
    const client = await connect(ts, user.accessToken);
    client.subscribe([`thread:${await createThread(ts.url, user)}`]);
    expect(await client.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-expired' });
  });

  it('takes a refreshed token in band and outlives the old one; refuses another user’s token', async ({
    shortTokenTs: ts,
  }) => {
    const user = await signup(ts.url, 'refreshing');
    const thread = `thread:${await createThread(ts.url, user)}`;
    const client = await connect(ts, user.accessToken);
    const [entry] = client.subscribe([thread]);
    await entry?.synced;
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as {
        iat: number;
        exp: number;
      };
    const { iat, exp: oldExpiry } = claims(user.accessToken);
    // Token times are whole seconds: refresh in a later second, or the new token expires with the old.
    await sleepUntil((iat + 1) * 1000);
    const refreshed = await api<{ accessToken: string }>(ts.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    const authed = client.next((m) => m.type === 'authed');
    client.send({ type: 'auth', token: refreshed.body.accessToken });
    expect(await authed).toEqual({
      type: 'authed',
      expiresAt: claims(refreshed.body.accessToken).exp * 1000,
    });
    expect(claims(refreshed.body.accessToken).exp).toBeGreaterThan(oldExpiry);
    // No event says "still open": wait past the old token's expiry, then prove the socket alive.
    await sleepUntil(oldExpiry * 1000 + 200);
    const pong = client.next((m) => m.type === 'pong');
    client.send({ type: 'ping', id: 1 });
    await pong;
    const ack = nextAck(client, thread);
    client.subscribe([thread], { acks: true });
    edit(client, thread, 'after the refresh');
    await ack;

    const other = await signup(ts.url, 'intruder');
    client.send({ type: 'auth', token: other.accessToken });
    expect(await client.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-user-mismatch' });
  });

  it('closes a socket holding no document when its session is revoked', async ({ shortTokenTs: ts }) => {
    const user = await signup(ts.url, 'revoked');
    const client = await connect(ts, user.accessToken);
    const logout = await api(ts.url, 'POST', '/api/auth/logout', {
      body: { refreshToken: user.refreshToken },
    });
    expect(logout.status).toBe(204);
    expect(await client.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-revoked' });
  });
});
