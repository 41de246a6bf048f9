import { describe, expect } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { MESSAGE_TYPES } from '@caucus/schema';
import { it } from '../support/e2e.js';
import { synced } from '../support/providers.js';
import { RawClient, decodeAwarenessStates } from '../support/raw-client.js';

describe('durable acks', () => {
  it('acknowledges an update after it is committed, with the state vector', async ({
    ts,
    owner,
    threadId,
  }) => {
    const raw = await RawClient.open(`${ts.wsUrl}/thread:${threadId}?acks=1&token=${owner.accessToken}`);
    const doc = new Y.Doc();
    await raw.syncInto(doc);
    doc.getText('body').insert(0, 'durable');
    const ack = raw.next((type) => type === MESSAGE_TYPES.durableAck);
    raw.sendUpdate(Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Y.Doc())));
    const decoder = decoding.createDecoder(await ack);
    decoding.readVarUint(decoder);
    const sv = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    expect(sv.get(doc.clientID)).toBe(Y.getState(doc.store, doc.clientID));
    // Acknowledged means stored: the row is in SQLite.
    const rows = ts.server.db.$client
      .prepare('select count(*) as n from doc_updates where doc = ? and actor = ?')
      .get(`thread:${threadId}`, owner.id) as { n: number };
    expect(rows.n).toBeGreaterThan(0);
    raw.close();
  });

  it('never sends acks to a connection that did not ask (the official client)', async ({
    ts,
    owner,
    editor,
    threadId,
    connect,
  }) => {
    const c = connect(owner);
    const seen: number[] = [];
    c.provider.messageHandlers[MESSAGE_TYPES.durableAck] = () => seen.push(MESSAGE_TYPES.durableAck);
    await synced(c);
    const watcher = await RawClient.open(`${ts.wsUrl}/thread:${threadId}?token=${editor.accessToken}`);
    const relayed = watcher.next((type) => type === MESSAGE_TYPES.sync);
    c.doc.getText('body').insert(0, 'no ack please ');
    await relayed;
    expect(seen).toEqual([]);
    watcher.close();
  });
});

describe('awareness', () => {
  it('fills user from the token and drops states for clientIDs owned by others', async ({
    ts,
    owner,
    editor,
    threadId,
  }) => {
    const a = await RawClient.open(`${ts.wsUrl}/thread:${threadId}?token=${owner.accessToken}`);
    const b = await RawClient.open(`${ts.wsUrl}/thread:${threadId}?token=${editor.accessToken}`);
    const docA = new Y.Doc();
    const awA = new awarenessProtocol.Awareness(docA);
    awA.setLocalState({ user: { name: 'Not Really Owner', id: 'spoofed', color: '#ff0000' }, cursor: 1 });
    const arrived = b.next((type) => type === MESSAGE_TYPES.awareness);
    a.sendAwareness(awarenessProtocol.encodeAwarenessUpdate(awA, [docA.clientID]));
    const states = decodeAwarenessStates(await arrived);
    const state = states.get(docA.clientID) as { user: Record<string, string>; cursor: number };
    expect(state.user).toEqual({ id: owner.id, name: 'owner', color: '#ff0000' });
    expect(state.cursor).toBe(1);

    // b tries to overwrite a's state: dropped, so a query returns a's state unchanged.
    const awB = new awarenessProtocol.Awareness(new Y.Doc());
    awB.clientID = docA.clientID;
    awB.setLocalState({ user: { name: 'hijack' }, cursor: 99 });
    (awB.meta.get(docA.clientID) as { clock: number }).clock = 50;
    b.sendAwareness(awarenessProtocol.encodeAwarenessUpdate(awB, [docA.clientID]));
    const reply = b.next((type) => type === MESSAGE_TYPES.awareness);
    b.send(queryAwareness());
    const after = decodeAwarenessStates(await reply).get(docA.clientID) as { cursor: number };
    expect(after.cursor).toBe(1);

    // When a disconnects, its state is removed for everyone.
    const removal = b.next((type) => type === MESSAGE_TYPES.awareness);
    a.close();
    const removed = await removal;
    const decoder = decoding.createDecoder(removed);
    decoding.readVarUint(decoder);
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    expect(decoding.readVarUint(update)).toBe(1);
    expect(decoding.readVarUint(update)).toBe(docA.clientID);
    decoding.readVarUint(update);
    expect(decoding.readVarString(update)).toBe('null');
    b.close();
  });
});

function queryAwareness(): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_TYPES.queryAwareness);
  return encoding.toUint8Array(e);
}
