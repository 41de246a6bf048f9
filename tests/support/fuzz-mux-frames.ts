/**
 * Seeded hostile frames of the multiplexed protocol (`caucus.mux.v1`): random bytes, unknown
 * types, bad varints, truncated frames, huge declared lengths and lists, junk document names,
 * messages for documents never subscribed, junk tokens, text and oversized frames — and, inside
 * well-formed `doc` frames, every hostile y-websocket message of fuzz-frames.ts.
 */
import * as encoding from 'lib0/encoding';
import { MUX_CLIENT, encodeMuxClient } from '@caucus/schema';
import { build } from './fuzz-corpus.js';
import { generateFrame, type Expectation, type GeneratorOptions } from './fuzz-frames.js';
import type { Rng } from './prng.js';

/**
 * What the server must do with the socket: `open` (it stays), a list of close codes, or `any`
 * (open, or closed with one of `MUX_HOSTILE_CLOSE_CODES`). `inner`, for a document message: what
 * must happen to that document's subscription (see fuzz-frames.ts; closing codes arrive as
 * `closed`, never as a socket close).
 */
export interface MuxFuzzFrame {
  category: string;
  data: Uint8Array | string;
  text?: boolean;
  expect: 'open' | 'any' | number[];
  inner?: Expectation;
}

const MALFORMED = 4400;
const UNAUTHORIZED = 4401;
const FRAME_TOO_LARGE = 1009;
const INVALID_TEXT = 1007;

/** Every socket close a hostile mux frame may earn (4401: a junk `auth` token). */
export const MUX_HOSTILE_CLOSE_CODES: readonly number[] = [
  MALFORMED,
  UNAUTHORIZED,
  FRAME_TOO_LARGE,
  INVALID_TEXT,
];

export interface MuxGeneratorOptions {
  /** The document the fuzzing socket is subscribed to. */
  doc: string;
  /** For the y-websocket messages inside `doc` frames. */
  inner: GeneratorOptions;
  maxFrameBytes: number;
}

const varUint = (n: number): number[] => [...build((e) => encoding.writeVarUint(e, n))];

function junkName(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
      return rng.string(rng.range(0, 40));
    case 1:
      return `thread:${rng.string(rng.range(1, 10))}`;
    case 2:
      return `${rng.pick(['thread', 'inbox', 'decision', 'workspace'])}:${rng.word()}${rng.int(1e6)}`;
    case 3:
      return `nokind:${rng.word()}`;
    default:
      return 'x'.repeat(rng.range(100, 2000));
  }
}

type Generator = { weight: number; make: (rng: Rng, o: MuxGeneratorOptions) => MuxFuzzFrame };

const generators: Generator[] = [
  {
    weight: 6,
    make: (rng) => ({ category: 'random-bytes', data: rng.bytes(rng.range(1, 64)), expect: 'any' }),
  },
  {
    weight: 4,
    make: (rng) => ({
      category: 'unknown-type',
      data: Uint8Array.from([...varUint(rng.range(5, 2 ** 20)), ...rng.bytes(rng.range(0, 16))]),
      expect: [MALFORMED],
    }),
  },
  {
    weight: 3,
    make: (rng) => {
      const bad = [0xff, ...Array.from({ length: rng.range(1, 10) }, () => 0x80 | rng.int(128))];
      return { category: 'bad-varint-type', data: Uint8Array.from(bad), expect: [MALFORMED] };
    },
  },
  {
    weight: 4,
    make: (rng, o) => {
      const whole = encodeMuxClient({
        type: 'subscribe',
        docs: [{ doc: o.doc, acks: rng.chance(0.5), stateVector: Uint8Array.of(0) }],
      });
      return {
        category: 'truncated-subscribe',
        data: whole.subarray(0, rng.range(1, whole.length - 1)),
        expect: [MALFORMED],
      };
    },
  },
  {
    weight: 3,
    make: (rng) => ({
      category: 'huge-list',
      data: Uint8Array.from([
        rng.pick([MUX_CLIENT.subscribe, MUX_CLIENT.unsubscribe]),
        ...varUint(2 ** rng.range(20, 50)),
      ]),
      expect: [MALFORMED],
    }),
  },
  {
    weight: 3,
    make: (rng) => ({
      category: 'huge-name-length',
      data: Uint8Array.from([MUX_CLIENT.subscribe, 1, ...varUint(2 ** rng.range(16, 50)), 0x61, 0x62]),
      expect: [MALFORMED],
    }),
  },
  {
    weight: 4,
    make: (rng) => ({
      category: 'junk-subscribe',
      data: encodeMuxClient({
        type: 'subscribe',
        docs: Array.from({ length: rng.range(1, 8) }, () => ({
          doc: junkName(rng),
          acks: rng.chance(0.5),
          stateVector: rng.chance(0.5) ? rng.bytes(rng.range(0, 12)) : Uint8Array.of(0),
        })),
      }),
      // Each junk name is refused alone (`closed` 4404/4403/4409); the socket stays.
      expect: 'open',
    }),
  },
  {
    weight: 3,
    make: (rng) => ({
      category: 'junk-unsubscribe',
      data: encodeMuxClient({
        type: 'unsubscribe',
        docs: Array.from({ length: rng.range(1, 8) }, () => junkName(rng)),
      }),
      expect: 'open',
    }),
  },
  {
    weight: 4,
    make: (rng, o) => ({
      category: 'doc-not-subscribed',
      data: encodeMuxClient({ type: 'doc', doc: junkName(rng), message: generateBinary(rng, o) }),
      expect: 'open',
    }),
  },
  {
    weight: 2,
    make: (rng, o) => ({
      category: 'doc-without-message',
      data: Uint8Array.from([
        MUX_CLIENT.doc,
        ...build((e) => encoding.writeVarString(e, rng.chance(0.5) ? o.doc : rng.word())),
      ]),
      expect: [MALFORMED],
    }),
  },
  {
    weight: 20,
    make: (rng, o) => {
      let inner = generateFrame(rng, o.inner);
      while (typeof inner.data === 'string' || inner.text || inner.data.length === 0)
        inner = generateFrame(rng, o.inner);
      const data = encodeMuxClient({ type: 'doc', doc: o.doc, message: inner.data });
      return {
        category: `doc:${inner.category}`,
        data,
        // An oversized inner message makes an oversized mux frame: the socket's frame limit.
        expect: data.length > o.maxFrameBytes ? [FRAME_TOO_LARGE] : 'open',
        inner: inner.expect,
      };
    },
  },
  {
    weight: 2,
    make: (rng) => ({
      category: 'junk-auth',
      data: encodeMuxClient({ type: 'auth', token: rng.string(rng.range(0, 300)) }),
      expect: [UNAUTHORIZED],
    }),
  },
  {
    weight: 2,
    make: (rng) => ({
      category: 'ping-extremes',
      data: encodeMuxClient({
        type: 'ping',
        id: rng.pick([0, 1, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]),
      }),
      expect: 'open',
    }),
  },
  {
    weight: 2,
    make: (rng) => ({
      category: 'text',
      data: rng.string(rng.range(0, 50)),
      expect: [MALFORMED, INVALID_TEXT],
    }),
  },
  {
    weight: 1,
    make: (rng, o) => ({
      category: 'oversized',
      data: Uint8Array.from([MUX_CLIENT.ping, ...rng.bytes(o.maxFrameBytes + rng.range(1, 4096))]),
      expect: [FRAME_TOO_LARGE],
    }),
  },
];

/** A binary hostile y-websocket message (never empty). */
function generateBinary(rng: Rng, o: MuxGeneratorOptions): Uint8Array {
  for (;;) {
    const f = generateFrame(rng, o.inner);
    if (typeof f.data !== 'string' && !f.text && f.data.length > 0 && f.data.length < o.maxFrameBytes - 4096)
      return f.data;
  }
}

const totalWeight = generators.reduce((n, g) => n + g.weight, 0);

/** One hostile mux frame. */
export function generateMuxFrame(rng: Rng, options: MuxGeneratorOptions): MuxFuzzFrame {
  let r = rng.int(totalWeight);
  for (const g of generators) {
    if (r < g.weight) return g.make(rng, options);
    r -= g.weight;
  }
  throw new Error('unreachable');
}

/** How many categories the generator has (the doc:* ones counted as one). */
export const MUX_CATEGORY_COUNT = generators.length;
