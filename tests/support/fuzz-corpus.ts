/**
 * Building blocks of the frame fuzzer: well-formed sync and awareness frames, and a corpus of real
 * thread-document updates to cut up and mutate.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPES } from '@caucus/schema';
import type { Rng } from './prng.js';

export const build = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};

export const syncFrame = (step: number, payload: Uint8Array): Uint8Array =>
  build((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, payload);
  });

export const awarenessFrame = (payload: Uint8Array): Uint8Array =>
  build((e) => {
    encoding.writeVarUint(e, MESSAGE_TYPES.awareness);
    encoding.writeVarUint8Array(e, payload);
  });

/** An awareness update payload (y-protocols layout) of the given raw entries. */
export const awarenessPayload = (
  entries: ReadonlyArray<{ clientId: number; clock: number; state: string }>,
): Uint8Array =>
  build((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientId);
      encoding.writeVarUint(e, entry.clock);
      encoding.writeVarString(e, entry.state);
    }
  });

/** Real Yjs updates of a thread document, to truncate and mutate. */
export interface UpdateCorpus {
  /** The document state the corpus was built on (as an update). */
  base: Uint8Array;
  stateVector: Uint8Array;
  /** Incremental updates, each depending on the ones before it. */
  updates: Uint8Array[];
  /** The whole state after every edit, and the diff from `base`. */
  full: Uint8Array;
  diff: Uint8Array;
}

/** Builds a corpus by making random thread-shaped edits on top of `base`. */
export function buildUpdateCorpus(rng: Rng, base: Uint8Array, edits = 40): UpdateCorpus {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const baseSv = Y.encodeStateVector(doc);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const body = doc.getText('body');
  const meta = doc.getMap('meta');
  const messages = doc.getArray<Y.Map<unknown>>('messages');
  const attachments = doc.getMap('attachments');
  for (let i = 0; i < edits; i++) {
    switch (rng.int(8)) {
      case 0:
      case 1:
        body.insert(rng.int(body.length + 1), rng.string(rng.range(1, 20)));
        break;
      case 2:
        if (body.length > 0) {
          const at = rng.int(body.length);
          body.delete(at, rng.range(1, body.length - at));
        } else body.insert(0, 'x');
        break;
      case 3:
        body.format(0, Math.max(1, body.length), { bold: true });
        break;
      case 4:
        meta.set(
          rng.pick(['title', 'intent', 'nope']),
          rng.chance(0.8) ? rng.string(rng.range(0, 30)) : rng.int(1000),
        );
        break;
      case 5: {
        const m = new Y.Map<unknown>();
        m.set('id', `m${i}`);
        m.set('author', 'someone');
        m.set('text', rng.string(rng.range(0, 40)));
        m.set('at', 1_700_000_000_000 + i);
        messages.push([m]);
        break;
      }
      case 6:
        if (messages.length > 0) messages.delete(rng.int(messages.length), 1);
        else attachments.set(`a${i}`, { id: 'u', name: 'n', size: 1, type: 't', sha256: 'x' });
        break;
      case 7:
        doc.transact(() => {
          body.insert(0, rng.string(3));
          meta.set('title', rng.string(5));
        });
        break;
    }
  }
  return {
    base,
    stateVector: baseSv,
    updates,
    full: Y.encodeStateAsUpdate(doc),
    diff: Y.encodeStateAsUpdate(doc, baseSv),
  };
}
