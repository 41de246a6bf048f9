/**
 * What a bench run prints and keeps: the table of figures beside the peers, the goals met or not,
 * the machine and settings it ran with, and — with `--write` — the block of docs/PERFORMANCE.md
 * for its mode, formatted as `prettier --check` expects.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { renderNotes, renderTable, renderVerdicts } from './report.js';
import { CAUCUS_BENCH_ENV, ROOT, type ServerKind } from './servers.js';
import { CHURN_IDLE_UNLOAD_MS } from './scenarios/churn.js';
import { COLD_IDLE_UNLOAD_MS } from './scenarios/cold-load.js';
import type { BenchMode, Figure, Log } from './types.js';

export /** A flat result (named numbers and strings) of an optional module, shown as its own small table. */
interface ExtraTable {
  title: string;
  rows: Array<[string, string]>;
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

export function machine(): {
  cpu: string;
  cores: number;
  node: string;
  memoryGB: number;
  loadAverage: number[];
} {
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

export /** Everything one run measured; what `--render` reads back. */
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

export /** Prints the table and goals; with `write`, puts them into docs/PERFORMANCE.md. */
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
