/**
 * Presence after a reconnect (issue 11.14): a client whose connection dropped comes back with the
 * same clientID and its old awareness clock. Its peers were told of its removal with a higher
 * clock, so without the server's answer (sync/awareness.ts) they ignored it for ~30 s. The
 * returning client and the observer are the official y-websocket client (v3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type * as awarenessProtocol from 'y-protocols/awareness';
import { connectClient, synced, type TestClient } from '../support/providers.js';
import { addMember, createThread, signup, startTestServer, type TestServer } from '../support/server.js';

/** Far below the ~15–30 s a returning peer stayed invisible before. */
const VISIBLE_WITHIN_MS = 3_000;

let ts: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  ts = await startTestServer();
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await ts.stop();
});

/** Resolves once `check` holds for `awareness`, re-checking on every change. */
function whenAwareness(awareness: awarenessProtocol.Awareness, check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const onChange = () => {
      if (!check()) return;
      awareness.off('change', onChange);
      resolve();
    };
    awareness.on('change', onChange);
  });
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe('presence after a reconnect', () => {
  it('shows a returning peer to the others at once', async () => {
    const owner = await signup(ts.url, 'observer');
    const member = await signup(ts.url, 'returning');
    await addMember(ts.url, owner, owner.workspaceId, member, 'editor');
    const doc = `thread:${await createThread(ts.url, owner)}`;
    const observer = connectClient(ts.wsUrl, doc, owner.accessToken);
    const returning = connectClient(ts.wsUrl, doc, member.accessToken);
    clients.push(observer, returning);
    await Promise.all([synced(observer), synced(returning)]);

    const id = returning.doc.clientID;
    const seen = () => observer.provider.awareness.getStates().get(id)?.cursor === 'here';
    returning.provider.awareness.setLocalStateField('cursor', 'here');
    await within(VISIBLE_WITHIN_MS, 'first announcement', whenAwareness(observer.provider.awareness, seen));

    // The network drops: no goodbye from the client; the server tells the observer it left.
    const gone = whenAwareness(observer.provider.awareness, () => !seen());
    (returning.provider.ws as unknown as WebSocket).terminate();
    await within(VISIBLE_WITHIN_MS, 'removal', gone);

    // y-websocket reconnects by itself (same clientID, same awareness clock) and announces again.
    const back = whenAwareness(observer.provider.awareness, seen);
    await within(VISIBLE_WITHIN_MS, 'the returning peer', back);
    expect(returning.provider.wsconnected).toBe(true);
    expect(observer.provider.awareness.getStates().get(id)?.user).toMatchObject({ id: member.id });
  });
});
