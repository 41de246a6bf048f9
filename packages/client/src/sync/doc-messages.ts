/** The y-websocket messages a document exchanges inside mux `doc` frames (schema/src/protocol.ts). */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { MESSAGE_TYPES } from '@caucus/schema';

function message(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

export const syncStep1 = (doc: Y.Doc): Uint8Array =>
  message((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    syncProtocol.writeSyncStep1(e, doc);
  });

export const syncUpdate = (update: Uint8Array): Uint8Array =>
  message((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    syncProtocol.writeUpdate(e, update);
  });

export const awarenessMessage = (awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array =>
  message((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.awareness);
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  });

export const queryAwareness = (): Uint8Array =>
  message((e) => encoding.writeVarUint(e, MESSAGE_TYPES.queryAwareness));
