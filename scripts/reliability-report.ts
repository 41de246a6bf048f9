/**
 * Writes the figures the reliability tests recorded (tests/.figures/*.json, made by `npm test` or
 * `npm run test:soak`) into docs/RELIABILITY.md, between its figure markers.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = fileURLToPath(new URL('../', import.meta.url));
const figuresDir = `${root}tests/.figures/`;
const docPath = `${root}docs/RELIABILITY.md`;
const START = '<!-- figures:start -->';
const END = '<!-- figures:end -->';

type Figure = Record<string, string | number | boolean>;

const figures: Figure[] = readdirSync(figuresDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(figuresDir + f, 'utf8')) as Figure);

const rows = figures.map((f) => {
  const { name, at, soak, ...rest } = f;
  const details = Object.entries(rest)
    .map(([k, v]) => `${k}: ${typeof v === 'number' && k !== 'seed' ? v.toLocaleString('en-US') : String(v)}`)
    .join(', ');
  return `| ${String(name)} | ${soak ? 'soak' : 'npm test'} | ${String(at).slice(0, 10)} | ${details} |`;
});
const table = ['| test | run | date | figures |', '|---|---|---|---|', ...rows].join('\n');

const doc = readFileSync(docPath, 'utf8');
const start = doc.indexOf(START);
const end = doc.indexOf(END);
if (start < 0 || end < start) throw new Error(`${docPath} has no ${START} … ${END} section`);
const updated = `${doc.slice(0, start + START.length)}\n${table}\n${doc.slice(end)}`;
// Formatted as `prettier --check` (part of npm test) expects.
const options = (await prettier.resolveConfig(docPath)) ?? {};
writeFileSync(docPath, await prettier.format(updated, { ...options, filepath: docPath }));
console.log(`wrote ${figures.length} figures into docs/RELIABILITY.md`);
