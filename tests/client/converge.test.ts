/**
 * Two Node clients (one multiplexed socket each) and the official y-websocket client (the
 * per-document URL) edit one thread and converge, presence included.
 */
import { describe, expect } from 'vitest';
import * as Y from 'yjs';
import { synced, until } from '../support/providers.js';
import { apiToken, docUntil, it, online, waitFor } from './support.js';

describe('clients converge on one thread', () => {
  it('two Node clients and the official y-websocket client see each other’s edits and presence', async ({
    ts,
    owner: ada,
    editor: bob,
    threadId,
    connect,
    newClient,
  }) => {
    const a = newClient(ada, await apiToken(ts.url, ada));
    const b = newClient(bob, await apiToken(ts.url, bob));
    const ta = a.thread(threadId);
    const tb = b.thread(threadId);
    await Promise.all([ta.whenSynced, tb.whenSynced]);
    const y = connect(ada);
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
