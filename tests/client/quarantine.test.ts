/**
 * A refused update ends in the refused list with its reason and a readable summary, the document
 * is reset to the server's, and nothing refused is dropped: the refused list survives a restart
 * and can be exported or discarded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CaucusClient } from '@caucus/client';
import { memoryStorage } from '@caucus/client';
import { connectClient, synced, type TestClient } from '../support/providers.js';
import {
  addMember,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { apiToken, nodeClient, waitFor } from './support.js';

let ts: TestServer;
let ada: TestUser;
let vic: TestUser;
const clients: CaucusClient[] = [];
const official: TestClient[] = [];

beforeAll(async () => {
  ts = await startTestServer();
  ada = await signup(ts.url, 'ada');
  vic = await signup(ts.url, 'vic');
  await addMember(ts.url, ada, ada.workspaceId, vic, 'viewer');
});

afterAll(async () => {
  for (const c of official) c.destroy();
  await Promise.all(clients.map((c) => c.close()));
  await ts.stop();
});

/** The server's copy of a document, through the official client. */
async function serverCopy(user: TestUser, name: string): Promise<Y.Doc> {
  const y = connectClient(ts.wsUrl, name, user.accessToken);
  official.push(y);
  await synced(y);
  return y.doc;
}

describe('quarantine', () => {
  it('keeps a refused change with its reason and resets the document to the server’s', async () => {
    const threadId = await createThread(ts.url, ada);
    const storage = memoryStorage();
    const token = await apiToken(ts.url, ada);
    const client = nodeClient(ts.url, ada, token, { storage });
    clients.push(client);
    const thread = client.thread(threadId);
    await thread.whenSynced;
    await thread.post('accepted first');
    await client.flush();
    const before = thread.doc;

    const forged = new Y.Map<unknown>();
    forged.set('id', 'forged-1');
    forged.set('author', vic.id);
    forged.set('text', 'words put in vic’s mouth');
    thread.doc.getArray('messages').push([forged]);

    const [change] = await waitFor(client.refused, (list) => list.length === 1, 'a refused change');
    expect(change).toMatchObject({
      doc: `thread:${threadId}`,
      reason: { code: 'author-mismatch' },
      summary: ['message "words put in vic’s mouth" added'],
    });
    expect(client.status.current.refused).toHaveLength(1);
    await waitFor(thread.status, (s) => s.generation === 1 && s.synced, 'the reset');
    expect(thread.doc).not.toBe(before);
    expect(thread.messages().map((m) => m.text)).toEqual(['accepted first']);

    const server = await serverCopy(ada, `thread:${threadId}`);
    expect(Y.encodeStateVector(thread.doc)).toEqual(Y.encodeStateVector(server));
    expect(thread.doc.getArray('messages').toJSON()).toEqual(server.getArray('messages').toJSON());
    expect(thread.status.current.unsynced).toBe(0);

    // Writing goes on in the new document.
    await thread.post('after the reset');
    await client.flush();

    // Nothing dropped: the refused change is still there after a restart, until discarded.
    await client.close();
    const again = nodeClient(ts.url, ada, token, { storage });
    clients.push(again);
    await again.refused.whenLoaded;
    expect(again.refused.current.map((c) => c.id)).toEqual([change?.id]);
    const exported = again.refused.export(change?.id ?? '');
    const restored = new Y.Doc();
    Y.applyUpdate(restored, Y.encodeStateAsUpdate(server));
    Y.applyUpdate(restored, exported.update);
    expect(
      restored
        .getArray<Y.Map<unknown>>('messages')
        .toArray()
        .map((m) => m.get('text')),
    ).toContain('words put in vic’s mouth');
    await again.refused.discard(change?.id ?? '');
    expect(again.refused.current).toEqual([]);
  });

  it('a viewer’s edit is refused as read-only and kept aside', async () => {
    const threadId = await createThread(ts.url, ada);
    const client = nodeClient(ts.url, vic, await apiToken(ts.url, vic));
    clients.push(client);
    const handle = client.open(`thread:${threadId}`);
    await handle.whenSynced;
    expect(handle.status.current.access).toBe('read');
    handle.doc.getText('body').insert(0, 'a viewer types');
    const [change] = await waitFor(client.refused, (l) => l.length === 1, 'the refusal');
    expect(change?.reason.code).toBe('read-only');
    expect(change?.summary).toEqual(['body: 14 characters inserted']);
    await waitFor(handle.status, (s) => s.generation === 1, 'the reset');
    expect(handle.doc.getText('body').toJSON()).toBe('');
    await expect(client.thread(threadId).post('no')).rejects.toMatchObject({ code: 'read-only' });
  });
});
