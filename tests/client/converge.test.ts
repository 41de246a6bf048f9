/**
 * Two Node clients (one multiplexed socket each) and the official y-websocket client (the
 * per-document URL) edit one thread and converge, presence included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CaucusClient } from '@caucus/client';
import { connectClient, synced, until, type TestClient } from '../support/providers.js';
import {
  addMember,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { apiToken, docUntil, nodeClient, online, waitFor } from './support.js';

let ts: TestServer;
let ada: TestUser;
let bob: TestUser;
const clients: CaucusClient[] = [];
const official: TestClient[] = [];

beforeAll(async () => {
  ts = await startTestServer();
  ada = await signup(ts.url, 'ada');
  bob = await signup(ts.url, 'bob');
  await addMember(ts.url, ada, ada.workspaceId, bob, 'editor');
});

afterAll(async () => {
  for (const c of official) c.destroy();
  await Promise.all(clients.map((c) => c.close()));
  await ts.stop();
});

describe('clients converge on one thread', () => {
  it('two Node clients and the official y-websocket client see each other’s edits and presence', async () => {
    const threadId = await createThread(ts.url, ada);
    const a = nodeClient(ts.url, ada, await apiToken(ts.url, ada));
    const b = nodeClient(ts.url, bob, await apiToken(ts.url, bob));
    clients.push(a, b);
    const ta = a.thread(threadId);
    const tb = b.thread(threadId);
    await Promise.all([ta.whenSynced, tb.whenSynced]);
    const y = connectClient(ts.wsUrl, `thread:${threadId}`, ada.accessToken);
    official.push(y);
    await synced(y);

    await ta.post('from ada');
    await tb.post('from bob');
    await tb.appendBody('notes by bob. ');
    y.doc.getText('body').insert(0, 'official says hi. ');
    const texts = () =>
      ta
        .messages()
        .map((m) => m.text)
        .sort();
    await docUntil(
      ta.doc,
      () => texts().length === 2 && ta.body().includes('official') && ta.body().includes('bob'),
    );
    await docUntil(tb.doc, () => tb.messages().length === 2 && tb.body().includes('official'));
    await until(
      y.doc,
      () => y.doc.getArray('messages').length === 2 && y.doc.getText('body').toJSON().includes('bob'),
    );
    expect(Y.encodeStateVector(ta.doc)).toEqual(Y.encodeStateVector(tb.doc));
    expect(ta.body()).toBe(tb.body());
    expect(ta.body()).toBe(y.doc.getText('body').toJSON());
    expect(texts()).toEqual(['from ada', 'from bob']);
    await a.flush();
    await b.flush();
    expect(a.status.current.unsynced).toBe(0);

    // Presence: each sees the others; the server fills `user` from the token.
    ta.handle.awareness.setLocalStateField('cursor', { at: 1 });
    y.provider.awareness.setLocalStateField('cursor', { at: 2 });
    const bAwareness = tb.handle.awareness;
    bAwareness.setLocalStateField('cursor', { at: 3 });
    const cursors = () =>
      [...bAwareness.getStates().values()]
        .map((s) => (s as { cursor?: { at: number } }).cursor?.at)
        .filter((v) => v !== undefined)
        .sort();
    await new Promise<void>((resolve) => {
      const check = () => cursors().length === 3 && (bAwareness.off('change', check), resolve());
      bAwareness.on('change', check);
      check();
    });
    expect(cursors()).toEqual([1, 2, 3]);
    const adaState = [...bAwareness.getStates().values()].find(
      (s) => (s as { cursor?: { at: number } }).cursor?.at === 1,
    ) as { user?: { id: string } };
    expect(adaState.user?.id).toBe(ada.id);
    await waitFor(a.status, (s) => s.connection === 'online');
    await online(b);
  });
});
