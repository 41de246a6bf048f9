import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPES } from '@caucus/schema';
import { decodeDurableAck, unsyncedCount } from './acks.js';

function ackFrame(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_TYPES.durableAck);
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  return encoding.toUint8Array(e);
}

describe('durable acks on the client', () => {
  it('decodes an ack and counts what is still unsaved', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'abc');
    const acked = decodeDurableAck(ackFrame(doc));
    expect(acked?.get(doc.clientID)).toBe(3);
    expect(unsyncedCount(doc, acked ?? new Map())).toBe(0);
    doc.getText('t').insert(3, 'de');
    expect(unsyncedCount(doc, acked ?? new Map())).toBe(2);
  });

  it('returns null for frames that are not acks', () => {
    expect(decodeDurableAck(new Uint8Array([0, 0, 1, 0]))).toBeNull();
    expect(decodeDurableAck(new Uint8Array([MESSAGE_TYPES.durableAck, 200]))).toBeNull();
  });
});
