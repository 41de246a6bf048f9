import { describe, expect } from 'vitest';
import * as Y from 'yjs';
import { MESSAGE_TYPES, decodeRefusal } from '@caucus/schema';
import { it } from '../support/e2e.js';
import { nextDenied, synced, until, type TestClient } from '../support/providers.js';
import { RawClient } from '../support/raw-client.js';

function message(fields: Record<string, unknown>): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(fields)) m.set(k, v);
  return m;
}

async function refusalOf(c: TestClient, change: () => void): Promise<string | undefined> {
  const denied = nextDenied(c);
  change();
  return decodeRefusal(await denied)?.code;
}

it.override('serverOptions', { limits: { maxFieldChars: 100 } });

describe('thread content rules', () => {
  it('accepts a message whose author is the writer, and relays it', async ({ owner, editor, connect }) => {
    const a = connect(owner);
    const b = connect(editor);
    await Promise.all([synced(a), synced(b)]);
    a.doc.getArray('messages').push([message({ id: 'm1', author: owner.id, text: 'first', at: 1 })]);
    await until(b.doc, () => b.doc.getArray('messages').length === 1);
    const got = b.doc.getArray<Y.Map<unknown>>('messages').get(0);
    expect(got.get('author')).toBe(owner.id);
    expect(a.denied).toEqual([]);
  });

  it('refuses a message claiming another author', async ({ owner, editor, connect }) => {
    const b = connect(editor);
    await synced(b);
    const code = await refusalOf(b, () =>
      b.doc.getArray('messages').push([message({ id: 'm2', author: owner.id, text: 'forged', at: 2 })]),
    );
    expect(code).toBe('author-mismatch');
  });

  it("refuses an edit of someone else's message, and allows the author's own", async ({
    owner,
    editor,
    connect,
  }) => {
    const b = connect(editor);
    await synced(b);
    await until(b.doc, () => b.doc.getArray('messages').length >= 1);
    const first = b.doc.getArray<Y.Map<unknown>>('messages').get(0);
    expect(await refusalOf(b, () => first.set('text', 'rewritten by editor'))).toBe('not-message-author');

    const a = connect(owner);
    const watcher = connect(editor);
    await Promise.all([synced(a), synced(watcher)]);
    await until(a.doc, () => a.doc.getArray('messages').length >= 1);
    a.doc.getArray<Y.Map<unknown>>('messages').get(0).set('text', 'edited by its author');
    await until(
      watcher.doc,
      () => watcher.doc.getArray<Y.Map<unknown>>('messages').get(0)?.get('text') === 'edited by its author',
    );
    expect(a.denied).toEqual([]);
  });

  it('refuses writes to attachments, unknown roots and oversized fields', async ({ editor, connect }) => {
    const b = connect(editor);
    await synced(b);
    expect(await refusalOf(b, () => b.doc.getMap('attachments').set('u1', { name: 'x' }))).toBe(
      'server-only',
    );
    const c = connect(editor);
    await synced(c);
    expect(await refusalOf(c, () => c.doc.getMap('secret').set('k', 'v'))).toBe('invalid-shape');
    const d = connect(editor);
    await synced(d);
    expect(await refusalOf(d, () => d.doc.getMap('meta').set('title', 'x'.repeat(101)))).toBe(
      'field-too-large',
    );
  });

  it("binds a Yjs clientID to its first user: another user can't write with it", async ({
    ts,
    owner,
    editor,
    threadId,
    connect,
  }) => {
    const a = connect(owner);
    await synced(a);
    const watcher = connect(editor);
    await synced(watcher);
    a.doc.getText('body').insert(0, 'owner text ');
    // Relayed means committed: the server has the owner's structs before the raw client syncs.
    await until(watcher.doc, () => watcher.doc.getText('body').toJSON().includes('owner text'));
    const raw = await RawClient.open(`${ts.wsUrl}/thread:${threadId}?token=${editor.accessToken}`);
    const known = new Y.Doc();
    await raw.syncInto(known);
    expect(Y.getState(known.store, a.doc.clientID)).toBeGreaterThan(0);
    // The official client would switch to a fresh clientID on seeing its own in remote data; a
    // hostile one would not: it writes new structs under the owner's clientID.
    const forged = new Y.Doc();
    forged.clientID = a.doc.clientID;
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(known));
    forged.clientID = a.doc.clientID;
    const before = Y.encodeStateVector(forged);
    forged.getText('body').insert(0, 'impersonated ');
    const denied = raw.next((type) => type === MESSAGE_TYPES.auth);
    raw.sendUpdate(Y.encodeStateAsUpdate(forged, before));
    const frame = await denied;
    expect(new TextDecoder().decode(frame)).toContain('client-id-taken');
    raw.close();
  });

  it('accepts a resend of structs the server already has, whoever they belong to', async ({
    ts,
    editor,
    threadId,
  }) => {
    const raw = await RawClient.open(`${ts.wsUrl}/thread:${threadId}?acks=1&token=${editor.accessToken}`);
    const doc = new Y.Doc();
    await raw.syncInto(doc);
    doc.getText('body').insert(0, 'mine ');
    const ack = raw.next((type) => type === MESSAGE_TYPES.durableAck);
    // The whole state: other users' structs plus one new insert of the editor's.
    raw.sendUpdate(Y.encodeStateAsUpdate(doc));
    await ack;
    expect(raw.messages.some((m) => m[0] === MESSAGE_TYPES.auth)).toBe(false);
    raw.close();
  });
});
