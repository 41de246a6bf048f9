/**
 * A refused update ends in the refused list with its reason and a readable summary, the document
 * is reset to the server's, and nothing refused is dropped: the refused list survives a restart
 * and can be exported or discarded.
 */
import { describe, expect } from 'vitest';
import * as Y from 'yjs';
import { memoryStorage } from '@caucus/client';
import { synced, type TestClient } from '../support/providers.js';
import { createThread, type TestUser } from '../support/server.js';
import { apiToken, it, waitFor } from './support.js';

type Connect = (user: TestUser, docName: string) => TestClient;

/** The server's copy of a document, through the official client. */
async function serverCopy(connect: Connect, user: TestUser, name: string): Promise<Y.Doc> {
  const y = connect(user, name);
  await synced(y);
  return y.doc;
}

describe('quarantine', () => {
  it('keeps a refused change with its reason and resets the document to the server’s', async ({
    ts,
    owner: ada,
    viewer: vic,
    connect,
    newClient,
  }) => {
    const threadId = await createThread(ts.url, ada);
    const storage = memoryStorage();
    const token = await apiToken(ts.url, ada);
    const client = newClient(ada, token, { storage });
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

    const server = await serverCopy(connect, ada, `thread:${threadId}`);
    expect(Y.encodeStateVector(thread.doc)).toEqual(Y.encodeStateVector(server));
    expect(thread.doc.getArray('messages').toJSON()).toEqual(server.getArray('messages').toJSON());
    expect(thread.status.current.unsynced).toBe(0);

    // Writing goes on in the new document.
    await thread.post('after the reset');
    await client.flush();

    // Nothing dropped: the refused change is still there after a restart, until discarded.
    await client.close();
    const again = newClient(ada, token, { storage });
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

  it('a viewer’s edit is refused as read-only and kept aside', async ({
    ts,
    owner: ada,
    viewer: vic,
    newClient,
  }) => {
    const threadId = await createThread(ts.url, ada);
    const client = newClient(vic, await apiToken(ts.url, vic));
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
