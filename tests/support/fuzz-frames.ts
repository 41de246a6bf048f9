/**
 * Seeded generation of hostile sync frames for fault tests: random bytes, truncated messages,
 * bad varints, unknown message types, corrupt and mutated updates, huge declared lengths, text
 * frames and oversized frames. Same seed, same frames.
 */
import { edgeGenerators } from './fuzz-frames-edges.js';
import type { FuzzFrame, GeneratorOptions } from './fuzz-frame-kinds.js';
import { malformedGenerators } from './fuzz-frames-malformed.js';
import type { Rng } from './prng.js';

export {
  HOSTILE_CLOSE_CODES,
  RESERVED_CLIENT_ID_BASE,
  type Expectation,
  type FuzzFrame,
  type FuzzLimits,
  type GeneratorOptions,
} from './fuzz-frame-kinds.js';

/** Every category, in the order the seeded picks rely on. */
const generators = [...malformedGenerators, ...edgeGenerators];

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
