/** What every scenario gets from the runner, and helpers to turn repetitions into figures. */
import type { CaucusFixture } from '../fixture.js';
import {
  startCaucus,
  startHocuspocus,
  startReference,
  startRelay,
  type ServerHandle,
  type ServerKind,
} from '../servers.js';
import { median, round } from '../stats.js';
import type { BenchMode, Figure, Goal, Log } from '../types.js';

export interface ScenarioContext {
  mode: BenchMode;
  /** The servers to run, in table order. */
  servers: readonly ServerKind[];
  /** Caucus's data (users, tokens, documents); null when Caucus is not run. */
  fixture: CaucusFixture | null;
  log: Log;
}

/** Starts `kind`; Caucus on the fixture's data dir with `env` added. */
export function startServer(
  ctx: ScenarioContext,
  kind: ServerKind,
  env: Record<string, string> = {},
): Promise<ServerHandle> {
  switch (kind) {
    case 'caucus':
      if (!ctx.fixture) throw new Error('Caucus needs its fixture');
      return startCaucus({ dataDir: ctx.fixture.dataDir, env });
    case 'reference':
      return startReference();
    case 'hocuspocus':
      return startHocuspocus();
    case 'relay':
      return startRelay();
  }
}

/** Starts every server of the run at once (for scenarios that interleave them); all or none. */
export async function startAll(
  ctx: ScenarioContext,
  env: Record<string, string> = {},
): Promise<Map<ServerKind, ServerHandle>> {
  const settled = await Promise.allSettled(ctx.servers.map((kind) => startServer(ctx, kind, env)));
  const started = new Map<ServerKind, ServerHandle>();
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') started.set(ctx.servers[i] as ServerKind, r.value);
  });
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  return started;
}

export async function stopAll(servers: Map<ServerKind, ServerHandle>): Promise<void> {
  await Promise.all([...servers.values()].map((s) => s.stop()));
}

/** A fresh document name per run for the in-memory servers (they keep documents until unloaded). */
let docCounter = 0;
export const peerDoc = (label: string): string => `bench-${label}-${process.pid}-${++docCounter}`;

/** Per-server samples of one metric, collected over the repetitions. */
export class Collector {
  private readonly data = new Map<string, Partial<Record<ServerKind, number[]>>>();

  add(key: string, kind: ServerKind, value: number | null): void {
    let entry = this.data.get(key);
    if (!entry) this.data.set(key, (entry = {}));
    (entry[kind] ??= []).push(value === null || !Number.isFinite(value) ? Number.NaN : value);
  }

  samples(key: string): Partial<Record<ServerKind, number[]>> {
    return this.data.get(key) ?? {};
  }
}

export interface FigureSpec {
  scenario: string;
  metric: string;
  unit: string;
  better: 'lower' | 'higher';
  goal?: Goal;
  note?: string;
  digits?: number;
  noRatio?: boolean;
}

/** A table row from per-server samples: the median of each server's repetitions. */
export function figure(spec: FigureSpec, samples: Partial<Record<ServerKind, number[]>>): Figure {
  const values: Figure['values'] = {};
  const rounded: Partial<Record<ServerKind, number[]>> = {};
  for (const [kind, list] of Object.entries(samples) as Array<[ServerKind, number[]]>) {
    const m = median(list);
    values[kind] = m === null ? null : round(m, spec.digits ?? 2);
    rounded[kind] = list.map((v) => round(v, spec.digits ?? 2));
  }
  const out: Figure = {
    scenario: spec.scenario,
    metric: spec.metric,
    unit: spec.unit,
    better: spec.better,
    values,
    samples: rounded,
  };
  if (spec.goal) out.goal = spec.goal;
  if (spec.note) out.note = spec.note;
  if (spec.noRatio) out.noRatio = true;
  return out;
}

/** Runs `fn`, logging and recording a failure as NaN instead of ending the whole bench. */
export async function attempt<T>(log: Log, what: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    log(`  ! ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
