/** The pieces hostile frames are made of: bad varints, mutations, real updates and awareness. */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPES, SYNC_STEPS } from '@caucus/schema';
import { awarenessFrame, awarenessPayload, build, syncFrame, type UpdateCorpus } from './fuzz-corpus.js';
import type { GeneratorOptions } from './fuzz-frame-kinds.js';
import type { Rng } from './prng.js';

/** A varuint that never terminates, or terminates with a huge value. */
export function badVarint(rng: Rng): number[] {
  const n = rng.range(1, 12);
  // The first byte carries 127 in its low bits, so a terminated value is never below 127.
  const out: number[] = [0xff];
  for (let i = 1; i < n; i++) out.push(rng.chance(0.7) ? 0xff : 0x80 | rng.int(128));
  if (rng.chance(0.5)) out.push(rng.int(128));
  return out;
}

export function encodeVarUint(n: number): number[] {
  return [...build((e) => encoding.writeVarUint(e, n))];
}

/** Mutates a copy of `bytes`: flipped bits, overwritten, inserted, removed or appended bytes. */
export function mutate(rng: Rng, bytes: Uint8Array): Uint8Array {
  const out = [...bytes];
  const rounds = rng.range(1, 4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(Math.max(1, out.length));
    switch (rng.int(7)) {
      case 0:
        out[at] = (out[at] ?? 0) ^ (1 << rng.int(8));
        break;
      case 1:
        out[at] = rng.pick([0x00, 0x7f, 0x80, 0xff, rng.int(256)]);
        break;
      case 2:
        out.splice(at, 0, ...rng.bytes(rng.range(1, 4)));
        break;
      case 3:
        out.splice(at, rng.range(1, 4));
        break;
      case 4:
        out.push(...rng.bytes(rng.range(1, 8)));
        break;
      case 5:
        out.splice(at, 0, ...badVarint(rng));
        break;
      case 6:
        out.length = at;
        break;
    }
  }
  return Uint8Array.from(out);
}

export function realUpdate(rng: Rng, corpus: UpdateCorpus): Uint8Array {
  const r = rng.int(10);
  if (r === 0) return corpus.full;
  if (r === 1) return corpus.diff;
  if (r === 2) return Y.mergeUpdates(corpus.updates.slice(0, rng.range(1, corpus.updates.length)));
  return rng.pick(corpus.updates);
}

/** Generated awareness clientIDs are below 2^32 or exactly 2^53 - 1, never in the reserved range. */
export function realAwareness(rng: Rng): Uint8Array {
  const entries: Array<{ clientId: number; clock: number; state: string }> = [];
  const count = rng.range(1, 3);
  for (let i = 0; i < count; i++) {
    entries.push({
      clientId: rng.int(2 ** 32),
      clock: rng.int(1000),
      state: JSON.stringify({ cursor: rng.int(100), user: { name: 'forged', id: 'x' } }),
    });
  }
  return awarenessPayload(entries);
}

/** A well-formed message of every kind a client may send (the base for truncations). */
export function validMessage(rng: Rng, o: GeneratorOptions): Uint8Array {
  switch (rng.int(5)) {
    case 0:
      return syncFrame(SYNC_STEPS.step1, o.corpus.stateVector);
    case 1:
      return syncFrame(SYNC_STEPS.step2, realUpdate(rng, o.corpus));
    case 2:
      return syncFrame(SYNC_STEPS.update, realUpdate(rng, o.corpus));
    case 3:
      return awarenessFrame(realAwareness(rng));
    default:
      return Uint8Array.of(MESSAGE_TYPES.queryAwareness);
  }
}
