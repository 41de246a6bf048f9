import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MESSAGE_TYPES, decodeRefusal } from '@caucus/schema';
import {
  addMember,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { connectClient, nextDenied, synced, until, type TestClient } from '../support/providers.js';
import { RawClient } from '../support/raw-client.js';

let ts: TestServer;
let owner: TestUser;
let editor: TestUser;
let threadId: string;
const clients: TestClient[] = [];

function client(user: TestUser, doc = new Y.Doc()): TestClient {
  const c = connectClient(ts.wsUrl, `thread:${threadId}`, user.accessToken, doc);
  clients.push(c);
  return c;
}

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

beforeAll(async () => {
  ts = await startTestServer({ limits: { maxFieldChars: 100 } });
  owner = await signup(ts.url, 'owner');
  editor = await signup(ts.url, 'editor');
  await addMember(ts.url, owner, owner.workspaceId, editor, 'editor');
  threadId = await createThread(ts.url, owner);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await ts.stop();
});

describe('thread content rules', () => {
  it('accepts a message whose author is the writer, and relays it', async () => {
    const a = client(owner);
    const b = client(editor);
    await Promise.all([synced(a), synced(b)]);
    a.doc.getArray('messages').push([message({ id: 'm1', author: owner.id, text: 'first', at: 1 })]);
    await until(b.doc, () => b.doc.getArray('messages').length === 1);
    const got = b.doc.getArray<Y.Map<unknown>>('messages').get(0);
    expect(got.get('author')).toBe(owner.id);
    expect(a.denied).toEqual([]);
  });

  it('refuses a message claiming another author', async () => {
    const b = client(editor);
    await synced(b);
    const code = await refusalOf(b, () =>
      b.doc.getArray('messages').push([message({ id: 'm2', author: owner.id, text: 'forged', at: 2 })]),
    );
    expect(code).toBe('author-mismatch');
  });

  it("refuses an edit of someone else's message, and allows the author's own", async () => {
    const b = client(editor);
    await synced(b);
    await until(b.doc, () => b.doc.getArray('messages').length >= 1);
    const first = b.doc.getArray<Y.Map<unknown>>('messages').get(0);
    expect(await refusalOf(b, () => first.set('text', 'rewritten by editor'))).toBe('not-message-author');

    const a = client(owner);
    const watcher = client(editor);
    await Promise.all([synced(a), synced(watcher)]);
    await until(a.doc, () => a.doc.getArray('messages').length >= 1);
    a.doc.getArray<Y.Map<unknown>>('messages').get(0).set('text', 'edited by its author');
    await until(
      watcher.doc,
      () => watcher.doc.getArray<Y.Map<unknown>>('messages').get(0)?.get('text') === 'edited by its author',
    );
    expect(a.denied).toEqual([]);
  });

  it('refuses writes to attachments, unknown roots and oversized fields', async () => {
    const b = client(editor);
    await synced(b);
    expect(await refusalOf(b, () => b.doc.getMap('attachments').set('u1', { name: 'x' }))).toBe(
      'server-only',
    );
    const c = client(editor);
    await synced(c);
    expect(await refusalOf(c, () => c.doc.getMap('secret').set('k', 'v'))).toBe('invalid-shape');
    const d = client(editor);
    await synced(d);
    expect(await refusalOf(d, () => d.doc.getMap('meta').set('title', 'x'.repeat(101)))).toBe(
      'field-too-large',
    );
  });

  it("binds a Yjs clientID to its first user: another user can't write with it", async () => {
    const a = client(owner);
    await synced(a);
    const watcher = client(editor);
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

  it('accepts a resend of structs the server already has, whoever they belong to', async () => {
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
