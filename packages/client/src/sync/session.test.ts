/**
 * The session's per-document protocol over in-memory Y.Docs, the test playing the server with
 * the real codecs: one subscribe frame for all documents, per-document access and refusals, and
 * quarantine — a refused change kept with its reason and summary, the document reset to the server's.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as authProtocol from 'y-protocols/auth';
import {
  MESSAGE_TYPES,
  encodeRefusal,
  type MuxClientMessage,
  type MuxServerMessage,
  type Refusal,
} from '@caucus/schema';
import type { DocEntry } from '../docs/entry.js';
import type { RefusedChange } from '../docs/refused.js';
import { DocRegistry } from '../docs/registry.js';
import { memoryStorage } from '../storage/memory.js';
import type { MuxConnection } from './connection.js';
import { SyncSession } from './session.js';

const msg = (write: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};
const step1 = (doc: Y.Doc) =>
  msg((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    syncProtocol.writeSyncStep1(e, doc);
  });
const step2 = (doc: Y.Doc, sv: Uint8Array) =>
  msg((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    syncProtocol.writeSyncStep2(e, doc, sv);
  });
const denied = (refusal: Refusal) =>
  msg((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.auth);
    authProtocol.writePermissionDenied(e, encodeRefusal(refusal));
  });
const ack = (doc: Y.Doc) =>
  msg((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.durableAck);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  });

/** A session over a connection that records frames; `serve` plays the server's side. */
function harness() {
  const sent: MuxClientMessage[] = [];
  const refused: RefusedChange[] = [];
  const storage = memoryStorage();
  const hooks = { attach: (_e: DocEntry) => undefined as void, detach: (_e: DocEntry) => undefined as void };
  const registry = new DocRegistry(storage, {
    opened: (e) => hooks.attach(e),
    closing: (e) => hooks.detach(e),
  });
  const session = new SyncSession(registry, {
    refused: (c) => refused.push(c),
    now: () => 1,
    random: () => 0.5,
  });
  hooks.attach = (e) => session.attach(e);
  hooks.detach = (e) => session.detach(e);
  session.connection = {
    state: 'online',
    send: (m: MuxClientMessage) => (sent.push(m), true),
  } as unknown as MuxConnection;
  const serve = (m: MuxServerMessage) => session.frame(m);
  const doc = (name: string, message: Uint8Array) => serve({ type: 'doc', doc: name, message });
  /** What the client sent for `name` since `from`, as y-protocols sync updates applied to `target`. */
  const deliver = (name: string, target: Y.Doc, from = 0) => {
    for (const m of sent.slice(from))
      if (m.type === 'doc' && m.doc === name && m.message[0] === MESSAGE_TYPES.sync) {
        const d = decoding.createDecoder(m.message);
        decoding.readVarUint(d);
        syncProtocol.readSyncMessage(d, encoding.createEncoder(), target, 'client');
      }
  };
  return { sent, refused, registry, session, serve, doc, deliver, storage };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('SyncSession', () => {
  it('subscribes every open document in one frame and syncs each through the server', async () => {
    const h = harness();
    const handles = ['thread:a', 'thread:b', 'inbox:u'].map((n) => h.registry.open(n));
    handles[0]?.doc.getText('body').insert(0, 'local');
    await tick();
    const subscribes = h.sent.filter((m) => m.type === 'subscribe');
    expect(subscribes).toHaveLength(1);
    expect(subscribes[0]?.type === 'subscribe' && subscribes[0].docs.map((d) => [d.doc, d.acks])).toEqual([
      ['thread:a', true],
      ['thread:b', true],
      ['inbox:u', true],
    ]);

    const server = new Y.Doc();
    server.getText('body').insert(0, 'server ');
    h.serve({ type: 'subscribed', doc: 'thread:a', access: 'write' });
    const from = h.sent.length;
    h.doc('thread:a', step2(server, Y.encodeStateVector(handles[0]!.doc)));
    h.doc('thread:a', step1(server));
    h.deliver('thread:a', server, from);
    await handles[0]?.whenSynced;
    expect(handles[0]?.doc.getText('body').toJSON()).toBe(server.getText('body').toJSON());
    expect(handles[0]?.status.current).toMatchObject({ synced: true, access: 'write' });
    expect(handles[0]?.status.current.unsynced).toBeGreaterThan(0);
    h.doc('thread:a', ack(server));
    expect(handles[0]?.status.current.unsynced).toBe(0);
  });

  it('a refusal or downgrade touches one document only', async () => {
    const h = harness();
    const [a, b] = ['thread:a', 'thread:b'].map((n) => h.registry.open(n));
    await tick();
    for (const name of ['thread:a', 'thread:b']) {
      h.serve({ type: 'subscribed', doc: name, access: 'write' });
      h.doc(name, step2(new Y.Doc(), new Uint8Array([0])));
    }
    h.serve({ type: 'access', doc: 'thread:a', access: 'read' });
    h.serve({ type: 'closed', doc: 'thread:b', code: 4403, reason: 'access-revoked' });
    expect(a?.status.current).toMatchObject({ access: 'read', denied: null, synced: true });
    expect(b?.status.current).toMatchObject({
      denied: { code: 4403, reason: 'access-revoked' },
      synced: false,
    });
    const c = h.registry.open('thread:c');
    await tick();
    h.serve({ type: 'closed', doc: 'thread:c', code: 4403, reason: 'forbidden' });
    await expect(c.whenSynced).rejects.toMatchObject({ code: 'doc-refused' });
  });

  it('quarantines a refused change with its reason and resets the document to the server', async () => {
    const h = harness();
    const handle = h.registry.open('thread:q');
    await tick();
    const server = new Y.Doc();
    server.getText('body').insert(0, 'kept');
    h.serve({ type: 'subscribed', doc: 'thread:q', access: 'write' });
    h.doc('thread:q', step2(server, new Uint8Array([0])));
    await handle.whenSynced;
    const before = handle.doc;
    const replaced: Y.Doc[] = [];
    handle.onChange((d) => d !== before && replaced.push(d));

    const forged = new Y.Map<unknown>();
    forged.set('id', 'm1');
    forged.set('author', 'someone-else');
    forged.set('text', 'a forged message');
    handle.doc.getArray('messages').push([forged]);
    const update = h.sent.at(-1);
    expect(update?.type).toBe('doc');

    const mark = h.sent.length;
    h.doc('thread:q', denied({ code: 'author-mismatch', message: 'not your message' }));
    const ask = h.sent.slice(mark).find((m) => m.type === 'doc');
    expect(ask?.type === 'doc' && ask.message[1]).toBe(syncProtocol.messageYjsSyncStep1);
    h.doc('thread:q', step2(server, new Uint8Array([0])));
    await tick();

    expect(h.refused).toHaveLength(1);
    expect(h.refused[0]).toMatchObject({
      doc: 'thread:q',
      reason: { code: 'author-mismatch', message: 'not your message' },
      summary: ['message "a forged message" added'],
    });
    expect(handle.doc).not.toBe(before);
    expect(replaced).toEqual([handle.doc]);
    expect(Y.encodeStateAsUpdate(handle.doc)).toEqual(Y.encodeStateAsUpdate(server));
    expect(handle.doc.getArray('messages').length).toBe(0);
    expect(handle.status.current).toMatchObject({ generation: 1, unsynced: 0, synced: true });

    // The refused update, applied to the server's copy, gives back what the user wrote.
    const restored = new Y.Doc();
    Y.applyUpdate(restored, Y.encodeStateAsUpdate(server));
    Y.applyUpdate(restored, h.refused[0]!.update);
    expect((restored.getArray('messages').get(0) as Y.Map<unknown>).get('text')).toBe('a forged message');

    // The store holds the reset document, not the refused change.
    const reread = new Y.Doc();
    await h.storage.bind('thread:q', reread).loaded;
    expect(reread.getArray('messages').length).toBe(0);
    expect(reread.getText('body').toJSON()).toBe('kept');
  });
});
