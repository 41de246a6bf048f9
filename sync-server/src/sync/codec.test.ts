import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { MESSAGE_TYPES, decodeRefusal } from '@caucus/schema';
import {
  MalformedMessage,
  decodeAwarenessUpdate,
  decodeClientMessage,
  encodeAwarenessMessage,
  encodeAwarenessUpdate,
  encodeDurableAck,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
} from './codec.js';

/** What y-protocols itself writes, as the official client sends it. */
function official(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

describe('decodeClientMessage', () => {
  it('reads the messages y-protocols writes', () => {
    const doc = new Y.Doc();
    doc.getText('body').insert(0, 'hi');
    const step1 = official((e) => {
      encoding.writeVarUint(e, MESSAGE_TYPES.sync);
      syncProtocol.writeSyncStep1(e, doc);
    });
    expect(decodeClientMessage(step1)).toEqual({ type: 'sync-step1', stateVector: Y.encodeStateVector(doc) });
    const step2 = official((e) => {
      encoding.writeVarUint(e, MESSAGE_TYPES.sync);
      syncProtocol.writeSyncStep2(e, doc);
    });
    const decoded = decodeClientMessage(step2);
    expect(decoded).toMatchObject({ type: 'sync-update', step: 'step2' });
    const replica = new Y.Doc();
    Y.applyUpdate(replica, (decoded as { update: Uint8Array }).update);
    expect(replica.getText('body').toJSON()).toBe('hi');
    const update = official((e) => {
      encoding.writeVarUint(e, MESSAGE_TYPES.sync);
      syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc));
    });
    expect(decodeClientMessage(update)).toMatchObject({ type: 'sync-update', step: 'update' });

    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ name: 'Ada' });
    const payload = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
    expect(decodeClientMessage(encodeAwarenessMessage(payload))).toEqual({
      type: 'awareness',
      update: payload,
    });
    expect(decodeClientMessage(bytes(MESSAGE_TYPES.queryAwareness))).toEqual({ type: 'query-awareness' });
    expect(decodeClientMessage(bytes(MESSAGE_TYPES.auth, 0))).toEqual({ type: 'auth' });
    awareness.destroy();
  });

  it('throws MalformedMessage for unknown types and steps, truncated and empty frames', () => {
    for (const frame of [
      bytes(),
      bytes(99),
      bytes(MESSAGE_TYPES.sync, 7, 0),
      bytes(MESSAGE_TYPES.sync, 0, 5, 1),
      bytes(MESSAGE_TYPES.awareness, 200),
    ]) {
      expect(() => decodeClientMessage(frame), `[${[...frame].join(',')}]`).toThrow(MalformedMessage);
    }
  });
});

describe('the server messages', () => {
  it('are what y-protocols reads', () => {
    const doc = new Y.Doc();
    doc.getText('body').insert(0, 'from the server');
    const update = Y.encodeStateAsUpdate(doc);
    for (const [frame, step] of [
      [encodeSyncStep2(update), syncProtocol.messageYjsSyncStep2],
      [encodeSyncUpdate(update), syncProtocol.messageYjsUpdate],
    ] as const) {
      const replica = new Y.Doc();
      const decoder = decoding.createDecoder(frame);
      expect(decoding.readVarUint(decoder)).toBe(MESSAGE_TYPES.sync);
      const reply = encoding.createEncoder();
      expect(syncProtocol.readSyncMessage(decoder, reply, replica, null)).toBe(step);
      expect(replica.getText('body').toJSON()).toBe('from the server');
    }
    // A step 1 makes the reader answer with what the server lacks.
    const decoder = decoding.createDecoder(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
    decoding.readVarUint(decoder);
    const reply = encoding.createEncoder();
    expect(syncProtocol.readSyncMessage(decoder, reply, doc, null)).toBe(syncProtocol.messageYjsSyncStep1);
    expect(encoding.length(reply)).toBeGreaterThan(0);
  });

  it('carry a refusal that decodes to its code and a durable ack that decodes to the state vector', () => {
    const denied = decoding.createDecoder(encodePermissionDenied({ code: 'read-only', message: 'no' }));
    expect(decoding.readVarUint(denied)).toBe(MESSAGE_TYPES.auth);
    expect(decoding.readVarUint(denied)).toBe(0);
    expect(decodeRefusal(decoding.readVarString(denied))).toMatchObject({ code: 'read-only', message: 'no' });

    const doc = new Y.Doc();
    doc.getText('body').insert(0, 'acked');
    const ack = decoding.createDecoder(encodeDurableAck(Y.encodeStateVector(doc)));
    expect(decoding.readVarUint(ack)).toBe(MESSAGE_TYPES.durableAck);
    expect(Y.decodeStateVector(decoding.readVarUint8Array(ack))).toEqual(new Map([[doc.clientID, 5]]));
  });
});

describe('awareness updates', () => {
  it('round-trip without parsing the states, and match y-protocols', () => {
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ name: 'Ada', cursor: { at: 3 } });
    const payload = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
    const entries = decodeAwarenessUpdate(payload);
    expect(entries).toEqual([
      { clientId: doc.clientID, clock: 1, state: '{"name":"Ada","cursor":{"at":3}}' },
    ]);
    expect(encodeAwarenessUpdate(entries)).toEqual(payload);
    expect(() => decodeAwarenessUpdate(bytes(2, 1))).toThrow(MalformedMessage);
    awareness.destroy();
  });
});
