/**
 * Presence after a reconnect (issue 11.14): a client whose connection dropped comes back with the
 * same clientID and its old awareness clock. Its peers were told of its removal with a higher
 * clock, so without the server's answer (sync/awareness.ts) they ignored it for ~30 s. The
 * returning client and the observer are the official y-websocket client (v3).
 */
import { describe, expect } from 'vitest';
import { it } from '../support/e2e.js';
import type WebSocket from 'ws';
import { synced, whenAwareness } from '../support/providers.js';
import { createThread, signup, signupMember } from '../support/server.js';

/** Far below the ~15–30 s a returning peer stayed invisible before. */
const VISIBLE_WITHIN_MS = 3_000;

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe('presence after a reconnect', () => {
  it('shows a returning peer to the others at once', async ({ ts, connect }) => {
    const owner = await signup(ts.url, 'observer');
    const member = await signupMember(ts.url, owner, 'returning', 'editor');
    const doc = `thread:${await createThread(ts.url, owner)}`;
    const observer = connect(owner, doc);
    const returning = connect(member, doc);
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
