import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { MESSAGE_TYPES } from '@caucus/schema';

/** The state vector carried by a durable ack frame, or null when the frame is not one. */
export function decodeDurableAck(frame: Uint8Array): Map<number, number> | null {
  try {
    const decoder = decoding.createDecoder(frame);
    if (decoding.readVarUint(decoder) !== MESSAGE_TYPES.durableAck) return null;
    return Y.decodeStateVector(decoding.readVarUint8Array(decoder));
  } catch {
    return null;
  }
}

/**
 * How many of this client's own changes the server has not yet durably stored: the distance
 * between the local clock of `doc.clientID` and the clock the server acknowledged. 0 means
 * "all changes saved".
 */
export function unsyncedCount(doc: Y.Doc, acknowledged: ReadonlyMap<number, number>): number {
  const local = Y.getState(doc.store, doc.clientID);
  return Math.max(0, local - (acknowledged.get(doc.clientID) ?? 0));
}
