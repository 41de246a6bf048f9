/** What a hostile sync frame is and what the server must answer it with (see fuzz-frames.ts). */
import type { UpdateCorpus } from './fuzz-corpus.js';
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

export const MALFORMED = 4400;
export const FRAME_TOO_LARGE = 1009;
export const TOO_LARGE = 4413;
export const INVALID_TEXT = 1007;

/** Every code a hostile frame may earn. */
export const HOSTILE_CLOSE_CODES: readonly number[] = [MALFORMED, FRAME_TOO_LARGE, TOO_LARGE, INVALID_TEXT];

/** Makes one frame of one category. */
export type FrameGenerator = (rng: Rng, o: GeneratorOptions) => FuzzFrame;

/** A category's generator and how often it is picked, relative to the others. */
export interface WeightedGenerator {
  weight: number;
  make: FrameGenerator;
}
