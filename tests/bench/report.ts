/**
 * Renders figures as the markdown table of docs/PERFORMANCE.md: Caucus, each peer, the floor,
 * Caucus's ratio to the better peer, the goal and whether it is met — said plainly either way.
 */
import { LABELS, PEERS, type ServerKind } from './servers.js';
import type { Figure, Goal } from './types.js';

export interface Verdict {
  /** Caucus ÷ the better peer (or ÷ the baseline for an in-memory goal). */
  ratio: number | null;
  met: boolean | null;
}

/** The better of the peers' values for `figure` (min or max by its direction); null if none ran. */
export function betterPeer(figure: Figure): number | null {
  const values = PEERS.map((p) => figure.values[p]).filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v),
  );
  if (values.length === 0) return null;
  return figure.better === 'lower' ? Math.min(...values) : Math.max(...values);
}

export function judge(figure: Figure): Verdict {
  const caucus = figure.values.caucus;
  const peer = betterPeer(figure);
  const hasCaucus = typeof caucus === 'number' && Number.isFinite(caucus);
  const goal = figure.goal;
  let ratio: number | null = hasCaucus && peer !== null && peer > 0 ? caucus / peer : null;
  if (goal?.kind === 'vs-baseline' && hasCaucus) ratio = caucus / goal.baseline;
  if (!goal || !hasCaucus) return { ratio, met: null };
  switch (goal.kind) {
    case 'vs-peers':
      return { ratio, met: ratio === null ? null : ratio <= goal.ratio };
    case 'vs-baseline':
      return { ratio, met: caucus <= goal.ratio * goal.baseline };
    case 'at-most':
      return { ratio, met: caucus <= goal.max };
    case 'at-least':
      return { ratio, met: caucus >= goal.min };
  }
}

function goalText(goal: Goal | undefined, unit: string): string {
  if (!goal) return '';
  switch (goal.kind) {
    case 'vs-peers':
      return `≤ ${goal.ratio}× better peer`;
    case 'vs-baseline':
      return `≤ ${goal.ratio}× ${goal.baselineLabel} (${goal.baseline} ${unit})`;
    case 'at-most':
      return `≤ ${goal.max.toLocaleString('en')} ${unit}`;
    case 'at-least':
      return `≥ ${goal.min.toLocaleString('en')} ${unit}`;
  }
}

function value(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const text = Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(v);
  return unit === '%' ? `${text} %` : unit === '/s' ? `${text}/s` : `${text} ${unit}`;
}

export function renderTable(figures: readonly Figure[], servers: readonly ServerKind[]): string {
  const head = [
    'Scenario',
    'Metric',
    ...servers.map((s) => LABELS[s]),
    'Caucus ÷ better peer',
    'Goal',
    'Met',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  let previous = '';
  for (const f of figures) {
    const { ratio, met } = judge(f);
    const ratioText =
      ratio === null || f.noRatio
        ? '—'
        : f.goal?.kind === 'vs-baseline'
          ? `${ratio.toFixed(2)}× ${f.goal.ratioLabel ?? 'in memory'}`
          : `${ratio.toFixed(2)}×`;
    const metText = met === null ? (f.goal ? 'no data' : '') : met ? '**yes**' : '**NO**';
    lines.push(
      `| ${f.scenario === previous ? '' : f.scenario} | ${f.metric} | ${servers.map((s) => value(f.values[s], f.unit)).join(' | ')} | ${ratioText} | ${goalText(f.goal, f.unit)} | ${metText} |`,
    );
    previous = f.scenario;
  }
  return lines.join('\n');
}

/** The goals, one line each, for the summary and the console. */
export function renderVerdicts(figures: readonly Figure[]): string[] {
  return figures
    .filter((f) => f.goal)
    .map((f) => {
      const { ratio, met } = judge(f);
      const state = met === null ? 'NO DATA' : met ? 'met' : 'NOT MET';
      const ratioText = ratio === null ? '' : ` (${ratio.toFixed(2)}×)`;
      return `${state}: ${f.scenario} — ${f.metric} ${value(f.values.caucus, f.unit)}${ratioText}, goal ${goalText(f.goal, f.unit)}`;
    });
}

export function renderNotes(figures: readonly Figure[]): string[] {
  const notes = new Set<string>();
  for (const f of figures) if (f.note) notes.add(`${f.scenario}: ${f.note}.`);
  return [...notes];
}
