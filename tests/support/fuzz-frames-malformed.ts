/**
 * Frames that are broken as bytes: random bytes and payloads, truncated messages, bad varints,
 * unknown message types and sync steps, garbage and mutated updates and state vectors, huge
 * declared lengths. In this order in the mix (fuzz-frames.ts): the order is part of the seed.
 */
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPES, SYNC_STEPS } from '@caucus/schema';
import { build, syncFrame } from './fuzz-corpus.js';
import { MALFORMED, type WeightedGenerator } from './fuzz-frame-kinds.js';
import { badVarint, encodeVarUint, mutate, realUpdate, validMessage } from './fuzz-frame-parts.js';

export const malformedGenerators: WeightedGenerator[] = [
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
];
