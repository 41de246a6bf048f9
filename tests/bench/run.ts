/**
 * `npm run bench [-- --quick] [-- --write]`: Caucus side by side with the reference y-websocket
 * server, Hocuspocus and a bare ws relay, on the same machine in the same run.
 *
 * Flags: --quick (small, one repetition, under two minutes), --write (update docs/PERFORMANCE.md),
 * --only=fanout,idle,cold,typing,durable,churn,mux,uploads,projection,client,jobs,web, --servers=caucus,reference,…,
 * --reps=N, --keep-data, --caucus-root=<dir> (run Caucus from another checkout, e.g. to compare
 * before and after a change), --render=<results json> (render an earlier run's table again).
 * JSON of every run goes to tests/bench/results/ (not committed).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildCaucusFixture,
  newDataDir,
  type CaucusFixture,
  type DocPool,
  type FixtureSpec,
} from './fixture.js';
import { parseArgs } from './args.js';
import { machine, publish, type BenchReport, type ExtraTable } from './publish.js';
import { ROOT, SERVER_KINDS, killAllServers, setCaucusRoot } from './servers.js';
import { benchChurn } from './scenarios/churn.js';
import { benchColdLoad } from './scenarios/cold-load.js';
import type { ScenarioContext } from './scenarios/common.js';
import { benchDurable } from './scenarios/durable.js';
import { benchFanout, FANOUT_CONFIGS } from './scenarios/fanout.js';
import { benchIdle } from './scenarios/idle.js';
import { MUX_DOCS, MUX_WARMUP_DOCS, benchMux } from './scenarios/mux.js';
import { benchTyping } from './scenarios/typing.js';
import type { BenchMode, Figure, Log } from './types.js';

type ScenarioResult = { figures: Figure[]; runs: unknown[] };

const BUILT_IN: Record<string, (ctx: ScenarioContext) => Promise<ScenarioResult>> = {
  fanout: benchFanout,
  idle: benchIdle,
  cold: benchColdLoad,
  typing: benchTyping,
  durable: benchDurable,
  churn: benchChurn,
  mux: benchMux,
};

/**
 * Scenario modules other parts of Caucus add when they land. If the file exists, its export is
 * called with `{ quick, reps, log }` and may return figures (`Figure[]` or `{ figures }`, see
 * types.ts) or a flat object of named numbers (shown as Caucus's figures).
 */
const OPTIONAL_SCENARIOS = [
  { name: 'uploads', file: 'uploads.ts', exportName: 'benchUploads', title: 'uploads' },
  { name: 'projection', file: 'projection.ts', exportName: 'benchProjection', title: 'projection lag' },
  { name: 'client', file: 'sync-client.ts', exportName: 'benchSyncClient', title: 'sync client' },
  { name: 'jobs', file: 'jobs.ts', exportName: 'benchJobs', title: 'job queue' },
  { name: 'web', file: 'web.ts', exportName: 'benchWeb', title: 'web app (Chromium)' },
] as const;

/** The fixture's document pools each built-in scenario reads; pools no chosen scenario reads stay empty. */
const POOLS: Record<string, readonly DocPool[]> = {
  fanout: ['fanout'],
  idle: ['idle', 'churn'],
  cold: [],
  typing: ['typing'],
  durable: ['durable'],
  churn: ['churn'],
  mux: ['mux'],
};

function fixtureSpec(mode: BenchMode, wanted: (scenario: string) => boolean): FixtureSpec {
  const quick = mode.quick;
  const docs: Record<DocPool, number> = {
    fanout: FANOUT_CONFIGS.length * mode.reps,
    idle: quick ? 200 : 1_000,
    churn: quick ? 350 : 2_100,
    typing: mode.reps,
    durable: (quick ? 60 : 100) * mode.reps,
    mux: MUX_DOCS + MUX_WARMUP_DOCS,
  };
  const needed = new Set(
    Object.entries(POOLS).flatMap(([scenario, pools]) => (wanted(scenario) ? pools : [])),
  );
  for (const pool of Object.keys(docs) as DocPool[]) if (!needed.has(pool)) docs[pool] = 0;
  return { docs, editors: 4 };
}

function normalizeOptional(title: string, result: unknown): { figures: Figure[]; extra: ExtraTable | null } {
  const list = Array.isArray(result)
    ? result
    : result && typeof result === 'object' && Array.isArray((result as { figures?: unknown }).figures)
      ? (result as { figures: unknown[] }).figures
      : null;
  if (list) {
    const figures = list.map((raw) => {
      const f = raw as Partial<Figure> & { caucus?: number };
      return {
        scenario: f.scenario ?? title,
        metric: f.metric ?? '?',
        unit: f.unit ?? '',
        better: f.better ?? 'lower',
        values: f.values ?? { caucus: typeof f.caucus === 'number' ? f.caucus : null },
        ...(f.goal ? { goal: f.goal } : {}),
        ...(f.note ? { note: f.note } : {}),
      };
    });
    return { figures, extra: null };
  }
  if (result && typeof result === 'object') {
    const rows = Object.entries(result as Record<string, unknown>).map(([key, v]): [string, string] => [
      key,
      typeof v === 'number' ? v.toLocaleString('en', { maximumFractionDigits: 3 }) : String(v),
    ]);
    return { figures: [], extra: { title, rows } };
  }
  return { figures: [], extra: null };
}

/** The fixture's data dir while a run uses it, removed however the run ends. */
let dataDirInUse: string | null = null;

// Interrupted or killed: no server under test is left running (the 'exit' event does not fire).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllServers();
    if (dataDirInUse) rmSync(dataDirInUse, { recursive: true, force: true });
    process.exit(130);
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log: Log = (line) => process.stdout.write(`${line}\n`);
  if (args.render) return render(args.render, args.write, log);
  if (args.caucusRoot) setCaucusRoot(args.caucusRoot);
  const mode: BenchMode = { quick: args.quick, reps: args.reps ?? (args.quick ? 1 : 3) };
  const started = Date.now();
  const wanted = (name: string) => args.only === null || args.only.includes(name);
  const env = machine();
  log(
    `caucus bench (${mode.quick ? 'quick' : 'full'}, ${mode.reps} rep${mode.reps > 1 ? 's' : ''}): ${env.cores} × ${env.cpu}, Node ${env.node}, load ${env.loadAverage.join(' ')}`,
  );

  let fixture: CaucusFixture | null = null;
  // Optional scenarios start their own servers; the fixture is for the built-in ones.
  if (args.servers.includes('caucus') && Object.keys(BUILT_IN).some(wanted)) {
    dataDirInUse = newDataDir();
    fixture = await buildCaucusFixture(fixtureSpec(mode, wanted), log, dataDirInUse);
  }
  const ctx: ScenarioContext = { mode, servers: args.servers, fixture, log };
  const figures: Figure[] = [];
  const extras: ExtraTable[] = [];
  const runs: unknown[] = [];
  try {
    for (const [name, bench] of Object.entries(BUILT_IN)) {
      if (!wanted(name)) continue;
      const t0 = performance.now();
      log(`${name}:`);
      const result = await bench(ctx);
      figures.push(...result.figures);
      runs.push(...result.runs);
      log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    for (const optional of OPTIONAL_SCENARIOS) {
      if (!wanted(optional.name)) continue;
      const file = join(ROOT, 'tests/bench', optional.file);
      if (!existsSync(file)) continue;
      log(`${optional.name}:`);
      try {
        const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        const fn = mod[optional.exportName];
        if (typeof fn !== 'function')
          throw new Error(`${optional.file} does not export ${optional.exportName}`);
        const result: unknown = await (fn as (o: unknown) => unknown)({
          quick: mode.quick,
          reps: mode.reps,
          log,
        });
        const normalized = normalizeOptional(optional.title, result);
        figures.push(...normalized.figures);
        if (normalized.extra) extras.push(normalized.extra);
        runs.push({ scenario: optional.name, result });
      } catch (err) {
        log(`  ! ${optional.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    if (fixture && !args.keepData) rmSync(fixture.dataDir, { recursive: true, force: true });
    dataDirInUse = null;
  }

  const finished = new Date();
  const report: BenchReport = {
    date: finished.toISOString(),
    mode,
    machine: env,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    seconds: Math.round((Date.now() - started) / 1000),
    servers: args.servers,
    figures,
    extras,
    runs,
  };
  const dir = join(ROOT, 'tests/bench/results');
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `bench-${mode.quick ? 'quick' : 'full'}-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(json, JSON.stringify(report, null, 2));
  publish(report, args.write, log);
  log(`JSON: ${json}`);
}

/** `--render=<json>`: the report of an earlier run, rendered again (e.g. after a change to the table). */
function render(file: string, write: boolean, log: Log): void {
  const report = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchReport> &
    Omit<BenchReport, 'servers' | 'extras'>;
  const present = new Set(report.figures.flatMap((f) => Object.keys(f.values)));
  const optional = new Map<string, string>(OPTIONAL_SCENARIOS.map((o) => [o.name, o.title]));
  const extras =
    report.extras ??
    report.runs.flatMap((run) => {
      const { scenario, result } = run as { scenario?: string; result?: unknown };
      const title = scenario === undefined ? undefined : optional.get(scenario);
      const extra = title === undefined ? null : normalizeOptional(title, result).extra;
      return extra ? [extra] : [];
    });
  publish(
    { ...report, servers: report.servers ?? SERVER_KINDS.filter((k) => present.has(k)), extras },
    write,
    log,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    if (dataDirInUse) rmSync(dataDirInUse, { recursive: true, force: true });
    process.exit(1);
  },
);
