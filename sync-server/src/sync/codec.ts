/**
 * Encoding and decoding of sync messages (y-websocket framing). Pure functions over bytes.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  AUTH_PERMISSION_DENIED,
  MESSAGE_TYPES,
  SYNC_STEPS,
  encodeRefusal,
  type Refusal,
} from '@caucus/schema';

export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array; step: 'step2' | 'update' }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'auth' };

/** A frame that is not a well-formed message; the connection is closed with 4400. */
export class MalformedMessage extends Error {
  override name = 'MalformedMessage';
}

/** Decodes one client frame; throws {@link MalformedMessage} on anything else. */
export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_TYPES.sync: {
        const step = decoding.readVarUint(decoder);
        const payload = decoding.readVarUint8Array(decoder);
        if (step === SYNC_STEPS.step1) return { type: 'sync-step1', stateVector: payload };
        if (step === SYNC_STEPS.step2) return { type: 'sync-update', update: payload, step: 'step2' };
        if (step === SYNC_STEPS.update) return { type: 'sync-update', update: payload, step: 'update' };
        throw new MalformedMessage(`unknown sync step ${step}`);
      }
      case MESSAGE_TYPES.awareness:
        return { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
      case MESSAGE_TYPES.queryAwareness:
        return { type: 'query-awareness' };
      case MESSAGE_TYPES.auth:
        // y-protocols clients never send auth messages to a server; accepted and ignored.
        return { type: 'auth' };
      default:
        throw new MalformedMessage(`unknown message type ${type}`);
    }
  } catch (err) {
    if (err instanceof MalformedMessage) throw err;
    throw new MalformedMessage(err instanceof Error ? err.message : 'undecodable frame');
  }
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    encoding.writeVarUint(e, SYNC_STEPS.step1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const encodeSyncStep2 = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    encoding.writeVarUint(e, SYNC_STEPS.step2);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeSyncUpdate = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    encoding.writeVarUint(e, SYNC_STEPS.update);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeAwarenessMessage = (awarenessUpdate: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.awareness);
    encoding.writeVarUint8Array(e, awarenessUpdate);
  });

export const encodePermissionDenied = (refusal: Refusal): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.auth);
    encoding.writeVarUint(e, AUTH_PERMISSION_DENIED);
    encoding.writeVarString(e, encodeRefusal(refusal));
  });

export const encodeDurableAck = (stateVector: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.durableAck);
    encoding.writeVarUint8Array(e, stateVector);
  });

/** One client's entry of an awareness update: `state` is its JSON text (`null` means removed). */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: string;
}

/** Decodes a y-protocols awareness update without parsing the JSON states. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state = decoding.readVarString(decoder);
      entries.push({ clientId, clock, state });
    }
    return entries;
  } catch (err) {
    throw new MalformedMessage(err instanceof Error ? err.message : 'undecodable awareness update');
  }
}

export function encodeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientId);
      encoding.writeVarUint(e, entry.clock);
      encoding.writeVarString(e, entry.state);
    }
  });
}
