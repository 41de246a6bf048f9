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
import { execFileSync } from 'node:child_process';
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
import { renderNotes, renderTable, renderVerdicts } from './report.js';
import {
  CAUCUS_BENCH_ENV,
  ROOT,
  SERVER_KINDS,
  killAllServers,
  setCaucusRoot,
  type ServerKind,
} from './servers.js';
import { benchChurn, CHURN_IDLE_UNLOAD_MS } from './scenarios/churn.js';
import { benchColdLoad, COLD_IDLE_UNLOAD_MS } from './scenarios/cold-load.js';
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

interface Args {
  quick: boolean;
  write: boolean;
  only: string[] | null;
  servers: ServerKind[];
  reps: number | null;
  keepData: boolean;
  caucusRoot: string | null;
  render: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    quick: false,
    write: false,
    only: null,
    servers: [...SERVER_KINDS],
    reps: null,
    keepData: false,
    caucusRoot: null,
    render: null,
  };
  for (const arg of argv) {
    const [flag, raw] = arg.split('=', 2) as [string, string | undefined];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--write') args.write = true;
    else if (flag === '--keep-data') args.keepData = true;
    else if (flag === '--only' && raw) args.only = raw.split(',');
    else if (flag === '--caucus-root' && raw) args.caucusRoot = raw;
    else if (flag === '--render' && raw) args.render = raw;
    else if (flag === '--reps' && raw) args.reps = Math.max(1, Number(raw) | 0);
    else if (flag === '--servers' && raw) {
      const kinds = raw.split(',');
      for (const k of kinds)
        if (!(SERVER_KINDS as readonly string[]).includes(k)) throw new Error(`unknown server ${k}`);
      args.servers = SERVER_KINDS.filter((k) => kinds.includes(k));
    } else throw new Error(`unknown argument ${arg}`);
  }
  return args;
}

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

/** A flat result (named numbers and strings) of an optional module, shown as its own small table. */
interface ExtraTable {
  title: string;
  rows: Array<[string, string]>;
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

function renderExtra(extra: ExtraTable): string {
  return [
    `**${extra.title}** (Caucus only)`,
    '',
    '| figure | value |',
    '|---|---|',
    ...extra.rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join('\n');
}

function machine(): { cpu: string; cores: number; node: string; memoryGB: number; loadAverage: number[] } {
  return {
    cpu: os.cpus()[0]?.model ?? '?',
    cores: os.cpus().length,
    node: process.version,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function settings(mode: BenchMode): string[] {
  const caps = Object.entries(CAUCUS_BENCH_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [
    `Caucus runs as \`caucus serve\` in its own process with auth on and every update committed to SQLite (WAL, synchronous=NORMAL, its default), with ${caps}: every bench connection belongs to one bench user, and a deployment serving that many connections per account would raise the cap the same way. The message rate limit stays at its default (300/s per connection).`,
    `Cold load runs Caucus with CAUCUS_IDLE_UNLOAD_MS=${COLD_IDLE_UNLOAD_MS} and churn with CAUCUS_IDLE_UNLOAD_MS=${CHURN_IDLE_UNLOAD_MS} (default 30,000), so idle documents unload within the run.`,
    `The peers run with their defaults, each in its own process: \`y-websocket@1.5.4\` \`bin/server.js\` (in memory), \`@hocuspocus/server\` \`new Server({ port, quiet: true })\` (in memory), and a bare \`ws\` relay that forwards bytes to the other sockets of a room (no Yjs, no storage, no auth).`,
    `Server CPU is user + system time from /proc/<pid>/stat; memory is VmRSS from /proc/<pid>/status. ${mode.reps > 1 ? `Every figure is the median of ${mode.reps} runs.` : 'One run per figure (quick mode).'}`,
  ];
}

const BLOCK = (mode: string) => [`<!-- bench:${mode}:start -->`, `<!-- bench:${mode}:end -->`] as const;

function writeDoc(mode: BenchMode, block: string): void {
  const file = join(ROOT, 'docs/PERFORMANCE.md');
  const [start, end] = BLOCK(mode.quick ? 'quick' : 'full');
  const body = `${start}\n${block}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) text = text.slice(0, from) + body + text.slice(to + end.length);
  else text = `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(file, text);
  // Formatted as `prettier --check` (part of npm test) expects, tables aligned.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--write', file]);
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

/** Everything one run measured; what `--render` reads back. */
interface BenchReport {
  date: string;
  mode: BenchMode;
  machine: ReturnType<typeof machine>;
  loadAverageAtEnd: number[];
  seconds: number;
  servers: ServerKind[];
  figures: Figure[];
  extras: ExtraTable[];
  runs: unknown[];
}

/** Prints the table and goals; with `write`, puts them into docs/PERFORMANCE.md. */
function publish(report: BenchReport, write: boolean, log: Log): void {
  const { mode, machine: env, figures, servers } = report;
  const table = [renderTable(figures, servers), ...report.extras.map(renderExtra)].join('\n\n');
  const verdicts = renderVerdicts(figures);
  log(`\n${table}\n\n${verdicts.join('\n')}\n\n(${report.seconds} s)`);
  if (!write) return;
  const block = [
    `## Results — ${mode.quick ? 'quick' : 'full'} mode`,
    '',
    `_${mode.quick ? 'Quick' : 'Full'} mode, ${report.date.slice(0, 10)}: ${env.cores} × ${env.cpu}, ${env.memoryGB} GB, Node ${env.node}; load average at start ${env.loadAverage[0]}, at end ${report.loadAverageAtEnd[0]}; ${report.seconds} s._`,
    '',
    table,
    '',
    ...verdicts.map((v) => `- ${v}`),
    '',
    ...[...renderNotes(figures), ...settings(mode)].map((n) => `- ${n}`),
  ].join('\n');
  writeDoc(mode, block);
  log('docs/PERFORMANCE.md updated');
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
