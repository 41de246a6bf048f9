/**
 * Figures that tests produce for docs/RELIABILITY.md: each test records what it did (rounds,
 * crashes, frames, losses) under tests/.figures/, and `npm run reliability:report` writes them
 * into the document — so the published numbers are the tests' own output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIGURES_DIR = fileURLToPath(new URL('../.figures/', import.meta.url));

export function recordFigure(name: string, figures: Record<string, number | string | boolean>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const entry = { name, at: new Date().toISOString(), soak: process.env.CAUCUS_SOAK === '1', ...figures };
  // One file per test and kind of run, so a soak run does not overwrite npm test's figures.
  writeFileSync(
    `${FIGURES_DIR}${name}${entry.soak ? '.soak' : ''}.json`,
    JSON.stringify(entry, null, 2) + '\n',
  );
}
