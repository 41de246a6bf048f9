/**
 * What scenarios report. A figure is one row of the table: one metric, the median over the
 * repetitions for each server that ran it, optionally a goal. Optional scenario modules (uploads,
 * projection lag) return the same shape; see `OPTIONAL_SCENARIOS` in run.ts.
 */
import type { ServerKind } from './servers.js';

/** A goal on Caucus's figure. */
export type Goal =
  /** Caucus ≤ `ratio` × the better of the peers (lower is better). */
  | { kind: 'vs-peers'; ratio: number }
  /** Caucus ≤ `max` (or ≥ `min`) in the figure's unit. */
  | { kind: 'at-most'; max: number }
  | { kind: 'at-least'; min: number }
  /** Caucus ≤ `ratio` × `baseline` (a figure measured outside any server, e.g. in memory). */
  | {
      kind: 'vs-baseline';
      ratio: number;
      baseline: number;
      baselineLabel: string;
      /** How the ratio column names the baseline (default: "in memory"). */
      ratioLabel?: string;
    };

export interface Figure {
  scenario: string;
  metric: string;
  unit: string;
  /** Which direction is better, for the ratio column. */
  better: 'lower' | 'higher';
  /** Median over the repetitions, per server; null where the server cannot do it. */
  values: Partial<Record<ServerKind, number | null>>;
  /** Every repetition's value, per server. */
  samples?: Partial<Record<ServerKind, number[]>>;
  goal?: Goal;
  /** Shown under the table, e.g. why a server has no value. */
  note?: string;
  /** No Caucus ÷ peer column (a figure about the bench itself, or one where a ratio says nothing). */
  noRatio?: boolean;
}

export interface BenchMode {
  quick: boolean;
  /** Repetitions of every scenario (medians are reported). */
  reps: number;
}

export type Log = (line: string) => void;
