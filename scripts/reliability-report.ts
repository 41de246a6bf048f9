/**
 * Writes the figures the reliability tests recorded (tests/.figures/*.json, made by `npm test` or
 * `npm run test:soak`; `--figures <dir>` reads another folder, e.g. a soak run's copy) into
 * docs/RELIABILITY.md, between its figure markers. A row is one test in one kind of run (npm test
 * or soak): rows with new figures are replaced, the others are kept, so a soak run's figures sit
 * beside the last npm test's.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = fileURLToPath(new URL('../', import.meta.url));
const figuresArg = process.argv.indexOf('--figures');
const figuresDir =
  figuresArg >= 0 && process.argv[figuresArg + 1]
    ? `${resolve(process.argv[figuresArg + 1] as string)}/`
    : `${root}tests/.figures/`;
const docPath = `${root}docs/RELIABILITY.md`;
const START = '<!-- figures:start -->';
const END = '<!-- figures:end -->';

type Figure = Record<string, string | number | boolean>;

const figures: Figure[] = readdirSync(figuresDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(figuresDir + f, 'utf8')) as Figure);

const doc = readFileSync(docPath, 'utf8');
const start = doc.indexOf(START);
const end = doc.indexOf(END);
if (start < 0 || end < start) throw new Error(`${docPath} has no ${START} … ${END} section`);

/** Row key: test name and run kind. */
const keyOf = (name: string, run: string) => `${name}\u0000${run}`;
const rows = new Map<string, string>();
// The rows already there (header and separator lines have no date in the third column).
for (const line of doc.slice(start + START.length, end).split('\n')) {
  const cells = line.split('|').map((c) => c.trim());
  const [, name, run, date] = cells;
  if (!name || !run || !date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) continue;
  rows.set(keyOf(name, run), line.trim());
}
for (const f of figures) {
  const { name, at, soak, ...rest } = f;
  const run = soak ? 'soak' : 'npm test';
  const details = Object.entries(rest)
    .map(([k, v]) => `${k}: ${typeof v === 'number' && k !== 'seed' ? v.toLocaleString('en-US') : String(v)}`)
    .join(', ');
  rows.set(
    keyOf(String(name), run),
    `| ${String(name)} | ${run} | ${String(at).slice(0, 10)} | ${details} |`,
  );
}
const sorted = [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, row]) => row);
const table = ['| test | run | date | figures |', '|---|---|---|---|', ...sorted].join('\n');

const updated = `${doc.slice(0, start + START.length)}\n${table}\n${doc.slice(end)}`;
// Formatted as `prettier --check` (part of npm test) expects.
const options = (await prettier.resolveConfig(docPath)) ?? {};
writeFileSync(docPath, await prettier.format(updated, { ...options, filepath: docPath }));
console.log(
  `wrote ${figures.length} figures from ${figuresDir} into docs/RELIABILITY.md (${rows.size} rows)`,
);
