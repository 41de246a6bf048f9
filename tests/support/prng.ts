/** mulberry32: a small seeded PRNG, so a failing fuzz run can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded random choices for fuzz tests: same seed, same choices. */
export class Rng {
  readonly #next: () => number;

  constructor(readonly seed: number) {
    this.#next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
  }

  float(): number {
    return this.#next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A short lowercase word. */
  word(): string {
    return Array.from({ length: 1 + this.int(6) }, () => String.fromCharCode(97 + this.int(26))).join('');
  }

  /** A random string, mixing ASCII, multi-byte characters and lone surrogates. */
  string(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) {
      const r = this.int(10);
      if (r < 6) s += String.fromCharCode(32 + this.int(95));
      else if (r < 8) s += String.fromCharCode(this.int(0x10000));
      else if (r < 9) s += String.fromCodePoint(0x10000 + this.int(0xfffff));
      else s += this.pick(['"', '\\', '{', '}', '[', ']', '\u0000', '\ud800']);
    }
    return s;
  }
}

/** The seed of a fuzz run: `CAUCUS_FUZZ_SEED` when given (to replay), else a fresh one. */
export function fuzzSeed(): number {
  const given = process.env.CAUCUS_FUZZ_SEED;
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}
