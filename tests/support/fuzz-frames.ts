/**
 * Seeded generation of hostile sync frames for fault tests: random bytes, truncated messages,
 * bad varints, unknown message types, corrupt and mutated updates, huge declared lengths, text
 * frames and oversized frames. Same seed, same frames.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPES, SYNC_STEPS } from '@caucus/schema';
import { awarenessFrame, awarenessPayload, build, syncFrame, type UpdateCorpus } from './fuzz-corpus.js';
import type { Rng } from './prng.js';

/**
 * What the server must do with a frame:
 * - `open`: the connection stays open;
 * - `denied`: stays open and answers with PermissionDenied (a viewer's real edit);
 * - an array: the connection is closed with one of these codes;
 * - `any`: open, or closed with one of the codes every hostile frame may earn.
 */
export type Expectation = 'open' | 'denied' | 'any' | number[];

export interface FuzzFrame {
  category: string;
  /** A string goes out as a text frame; bytes as a binary frame unless `text` is set. */
  data: Uint8Array | string;
  /** Send the bytes as a text frame (e.g. invalid UTF-8). */
  text?: boolean;
  expect: Expectation;
}

export interface FuzzLimits {
  maxFrameBytes: number;
  maxUpdateBytes: number;
}

/**
 * Awareness clientIDs from here up to 2^41 are never generated: a test may use them for its own
 * messages (e.g. pings) without a fuzzed frame claiming them first.
 */
export const RESERVED_CLIENT_ID_BASE = 2 ** 40;

export interface GeneratorOptions {
  corpus: UpdateCorpus;
  limits: FuzzLimits;
  /** True when the fuzzing connection is read-only (viewer): real edits are then `denied`. */
  readOnly: boolean;
}

const MALFORMED = 4400;
const FRAME_TOO_LARGE = 1009;
const TOO_LARGE = 4413;
const INVALID_TEXT = 1007;

/** Every code a hostile frame may earn. */
export const HOSTILE_CLOSE_CODES: readonly number[] = [MALFORMED, FRAME_TOO_LARGE, TOO_LARGE, INVALID_TEXT];

/** A varuint that never terminates, or terminates with a huge value. */
function badVarint(rng: Rng): number[] {
  const n = rng.range(1, 12);
  // The first byte carries 127 in its low bits, so a terminated value is never below 127.
  const out: number[] = [0xff];
  for (let i = 1; i < n; i++) out.push(rng.chance(0.7) ? 0xff : 0x80 | rng.int(128));
  if (rng.chance(0.5)) out.push(rng.int(128));
  return out;
}

function encodeVarUint(n: number): number[] {
  return [...build((e) => encoding.writeVarUint(e, n))];
}

/** Mutates a copy of `bytes`: flipped bits, overwritten, inserted, removed or appended bytes. */
function mutate(rng: Rng, bytes: Uint8Array): Uint8Array {
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

function realUpdate(rng: Rng, corpus: UpdateCorpus): Uint8Array {
  const r = rng.int(10);
  if (r === 0) return corpus.full;
  if (r === 1) return corpus.diff;
  if (r === 2) return Y.mergeUpdates(corpus.updates.slice(0, rng.range(1, corpus.updates.length)));
  return rng.pick(corpus.updates);
}

/** Generated awareness clientIDs are below 2^32 or exactly 2^53 - 1, never in the reserved range. */
function realAwareness(rng: Rng): Uint8Array {
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
function validMessage(rng: Rng, o: GeneratorOptions): Uint8Array {
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

type Generator = (rng: Rng, o: GeneratorOptions) => FuzzFrame;

const generators: Array<{ weight: number; make: Generator }> = [
  {
    weight: 14,
    make: (rng) => {
      const len = rng.pick([rng.int(8), rng.int(64), rng.int(1024)]);
      return { category: 'random-bytes', data: rng.bytes(len), expect: 'any' };
    },
  },
  {
    weight: 8,
    // Random bytes behind a valid message type: reaches the payload decoders more often.
    make: (rng) => {
      const type = rng.pick([MESSAGE_TYPES.sync, MESSAGE_TYPES.awareness]);
      const head = type === MESSAGE_TYPES.sync ? [type, rng.int(3)] : [type];
      return {
        category: 'random-payload',
        data: Uint8Array.from([...head, ...rng.bytes(rng.int(200))]),
        expect: 'any',
      };
    },
  },
  {
    weight: 12,
    make: (rng, o) => {
      const full = validMessage(rng, o);
      return { category: 'truncated', data: full.slice(0, rng.int(full.length)), expect: [MALFORMED] };
    },
  },
  {
    weight: 8,
    make: (rng) => {
      const prefix = rng.pick([
        [],
        [MESSAGE_TYPES.sync],
        [MESSAGE_TYPES.sync, rng.int(3)],
        [MESSAGE_TYPES.awareness],
      ]);
      // At most 40 trailing bytes, so a terminated varint at a length position (≥ 127) always overruns.
      return {
        category: 'bad-varint',
        data: Uint8Array.from([...prefix, ...badVarint(rng), ...rng.bytes(rng.int(40))]),
        expect: [MALFORMED],
      };
    },
  },
  {
    weight: 8,
    make: (rng) => {
      const type = rng.pick([
        rng.range(4, 99),
        MESSAGE_TYPES.durableAck, // server → client only
        rng.range(101, 127),
        rng.range(128, 16383),
        2 ** 31,
        2 ** 32 + 7,
        Number.MAX_SAFE_INTEGER,
      ]);
      return {
        category: 'unknown-type',
        data: Uint8Array.from([...encodeVarUint(type), ...rng.bytes(rng.int(32))]),
        expect: [MALFORMED],
      };
    },
  },
  {
    weight: 4,
    make: (rng, o) => {
      const step = rng.pick([3, 4, 127, 128, 2 ** 20]);
      return {
        category: 'unknown-sync-step',
        data: Uint8Array.from([
          MESSAGE_TYPES.sync,
          ...encodeVarUint(step),
          ...build((e) => encoding.writeVarUint8Array(e, o.corpus.stateVector)),
        ]),
        expect: [MALFORMED],
      };
    },
  },
  {
    weight: 10,
    make: (rng) => {
      const step = rng.pick([SYNC_STEPS.step2, SYNC_STEPS.update]);
      return {
        category: 'garbage-update',
        data: syncFrame(step, rng.bytes(rng.range(0, 300))),
        expect: 'any',
      };
    },
  },
  {
    weight: 14,
    make: (rng, o) => {
      const step = rng.pick([SYNC_STEPS.step2, SYNC_STEPS.update]);
      return {
        category: 'mutated-update',
        data: syncFrame(step, mutate(rng, realUpdate(rng, o.corpus))),
        expect: 'any',
      };
    },
  },
  {
    weight: 3,
    make: (rng) => ({
      category: 'garbage-state-vector',
      data: syncFrame(SYNC_STEPS.step1, rng.bytes(rng.int(40))),
      expect: 'any',
    }),
  },
  {
    weight: 5,
    make: (rng, o) => {
      const declared = rng.pick([
        o.limits.maxFrameBytes,
        o.limits.maxFrameBytes * 4,
        2 ** 31,
        2 ** 32 + 1,
        2 ** 48,
        Number.MAX_SAFE_INTEGER,
      ]);
      const head = rng.pick([[MESSAGE_TYPES.sync, rng.int(3)], [MESSAGE_TYPES.awareness]]);
      return {
        category: 'huge-length',
        data: Uint8Array.from([...head, ...encodeVarUint(declared), ...rng.bytes(rng.int(64))]),
        expect: [MALFORMED],
      };
    },
  },
  {
    weight: 6,
    make: (rng) => {
      const r = rng.int(4);
      let payload: Uint8Array;
      if (r === 0) payload = rng.bytes(rng.int(64));
      else if (r === 1) payload = mutate(rng, realAwareness(rng));
      else {
        const entries = [];
        const count = rng.range(0, rng.chance(0.5) ? 3 : 20);
        for (let i = 0; i < count; i++) {
          const clientId = rng.pick([rng.int(2 ** 32), rng.int(100), Number.MAX_SAFE_INTEGER]);
          const state = rng.pick([
            'null',
            rng.string(rng.int(30)),
            '{"user":' + rng.string(5),
            JSON.stringify({
              user: { name: rng.string(10), id: 'spoof', color: '#12345678' },
              x: rng.int(9),
            }),
            // Over the 8 KiB state cap, mostly within the frame limit.
            JSON.stringify({ big: 'x'.repeat(rng.range(8_200, 12_000)) }),
            '[1,2,3]',
            '"just a string"',
          ]);
          entries.push({ clientId, clock: rng.pick([0, rng.int(1000), 2 ** 32]), state });
        }
        payload = awarenessPayload(entries);
      }
      return { category: 'awareness', data: awarenessFrame(payload), expect: 'any' };
    },
  },
  {
    weight: 4,
    make: (rng) => ({ category: 'text-frame', data: rng.string(rng.int(200)), expect: [MALFORMED] }),
  },
  {
    weight: 2,
    // Arbitrary bytes in a text frame: invalid UTF-8 is refused by the WebSocket layer (1007).
    make: (rng) => ({
      category: 'binary-text-frame',
      data: rng.bytes(rng.int(64)),
      text: true,
      expect: [MALFORMED, INVALID_TEXT],
    }),
  },
  {
    weight: 1,
    make: (rng, o) => ({
      category: 'oversized-frame',
      data: rng.bytes(o.limits.maxFrameBytes + 1 + rng.int(2048)),
      expect: [FRAME_TOO_LARGE],
    }),
  },
  {
    weight: 1,
    make: (rng, o) => {
      // Within the frame limit, over the update limit: refused by size before anything else.
      const size = rng.range(o.limits.maxUpdateBytes + 1, o.limits.maxFrameBytes - 16);
      return {
        category: 'oversized-update',
        data: syncFrame(rng.pick([SYNC_STEPS.step2, SYNC_STEPS.update]), rng.bytes(size)),
        expect: [TOO_LARGE],
      };
    },
  },
  {
    weight: 6,
    // Well-formed messages an honest client sends; a viewer's real edits are refused, not closed.
    make: (rng, o) => {
      switch (rng.int(6)) {
        case 0:
          return {
            category: 'valid-step1',
            data: syncFrame(SYNC_STEPS.step1, o.corpus.stateVector),
            expect: 'open',
          };
        case 1:
          return {
            category: 'valid-query-awareness',
            data: Uint8Array.of(MESSAGE_TYPES.queryAwareness),
            expect: 'open',
          };
        case 2:
          return { category: 'valid-auth', data: Uint8Array.of(MESSAGE_TYPES.auth, 0, 0), expect: 'open' };
        case 3:
          return { category: 'valid-awareness', data: awarenessFrame(realAwareness(rng)), expect: 'open' };
        case 4:
          // The document state it already has: redundant, nothing to refuse.
          return {
            category: 'valid-redundant-update',
            data: syncFrame(SYNC_STEPS.step2, o.corpus.base),
            expect: 'open',
          };
        default: {
          const first = o.corpus.updates[0] ?? o.corpus.diff;
          return {
            category: 'valid-edit',
            data: syncFrame(
              rng.pick([SYNC_STEPS.step2, SYNC_STEPS.update]),
              rng.chance(0.5) ? first : o.corpus.diff,
            ),
            expect: o.readOnly ? 'denied' : 'open',
          };
        }
      }
    },
  },
];

const totalWeight = generators.reduce((n, g) => n + g.weight, 0);

/** One hostile frame. */
export function generateFrame(rng: Rng, options: GeneratorOptions): FuzzFrame {
  let r = rng.int(totalWeight);
  for (const g of generators) {
    if (r < g.weight) return g.make(rng, options);
    r -= g.weight;
  }
  throw new Error('unreachable');
}

export function toHex(data: Uint8Array | string, max = 96): string {
  if (typeof data === 'string') return `text(${data.length}) ${JSON.stringify(data.slice(0, max))}`;
  const hex = Buffer.from(data.subarray(0, max)).toString('hex');
  return `bin(${data.length}) ${hex}${data.length > max ? '…' : ''}`;
}
