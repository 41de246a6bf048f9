/**
 * `caucus admin jobs --watch [seconds]`: the job report again every interval until Ctrl-C (SIGINT
 * or SIGTERM end it with exit 0). On a terminal the screen is redrawn; otherwise each report is
 * printed after a timestamp line; with `--json` each poll is one JSON line (NDJSON). A server that
 * cannot be reached (or fails) is reported on stderr and asked again at the next turn; a refusal
 * (not an admin, not signed in) ends the watch as it ends a single report.
 */
import type { AdminJobs, ApiResult } from '@caucus/client';
import { CliError, EXIT, exitFor } from '../exit-codes.js';
import { when, type Output } from '../output.js';
import { must } from '../results.js';

/** The interval of a bare `--watch`. */
export const DEFAULT_WATCH_SECONDS = 2;
/** No shorter interval: a watch must not hammer the server. */
export const MIN_WATCH_SECONDS = 0.1;

/** Clears the screen and puts the cursor at the top left. */
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

/** The interval `--watch` asks for, in ms: `true` is a bare `--watch`. */
export function watchIntervalMs(value: string | true): number {
  if (value === true) return DEFAULT_WATCH_SECONDS * 1000;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < MIN_WATCH_SECONDS)
    throw new CliError(
      'usage',
      `--watch takes a number of seconds (at least ${MIN_WATCH_SECONDS}), not ${JSON.stringify(value)}`,
      EXIT.usage,
    );
  return Math.round(seconds * 1000);
}

export interface WatchJobsOptions {
  poll: () => Promise<ApiResult<AdminJobs>>;
  /** The report's text lines (`jobsReport`). */
  render: (report: AdminJobs) => string[];
  out: Output;
  /** Raw stdout, for clearing the screen. */
  write: (text: string) => void;
  /** Redraw in place (stdout is a terminal, and not `--json`). */
  redraw: boolean;
  intervalMs: number;
  /** Where SIGINT and SIGTERM come from; `process` outside tests. */
  signals?: Pick<NodeJS.Process, 'once' | 'off'>;
  now?: () => number;
}

/** Polls until SIGINT or SIGTERM; resolves then (the command exits 0). */
export async function watchJobs(options: WatchJobsOptions): Promise<void> {
  const { out, intervalMs, signals = process, now = Date.now } = options;
  const every = `${intervalMs / 1000} s`;
  let stop = () => {};
  const stopped = new Promise<'stopped'>((resolve) => (stop = () => resolve('stopped')));
  signals.once('SIGINT', stop);
  signals.once('SIGTERM', stop);
  let failing: string | null = null;
  try {
    for (;;) {
      const result = await Promise.race([options.poll(), stopped]);
      if (result === 'stopped') return;
      if (result.ok) {
        if (failing !== null && !options.redraw && !out.json) out.note(`${when(now())} answering again`);
        failing = null;
        show(options, result.value, every);
      } else {
        const { code, status } = result.error;
        // Only a server that is away or failing is waited for; a refusal would not change.
        if (exitFor(code, status) !== EXIT.unavailable) must(result);
        const line = `${code}: ${result.error.message}`;
        if (options.redraw) options.write(CLEAR_SCREEN);
        // Said once per outage, unless the screen was cleared over it.
        if (options.redraw || failing !== line)
          out.note(`${when(now())} caucus: ${line} — retrying every ${every} (Ctrl-C to stop)`);
        failing = line;
      }
      let timer: NodeJS.Timeout | undefined;
      const turn = new Promise<'turn'>((resolve) => (timer = setTimeout(() => resolve('turn'), intervalMs)));
      const next = await Promise.race([turn, stopped]);
      clearTimeout(timer);
      if (next === 'stopped') return;
    }
  } finally {
    signals.off('SIGINT', stop);
    signals.off('SIGTERM', stop);
  }
}

function show(options: WatchJobsOptions, report: AdminJobs, every: string): void {
  const { out } = options;
  if (out.json) {
    out.result(report, () => []);
    return;
  }
  const lines = options.render(report);
  if (options.redraw) {
    options.write(CLEAR_SCREEN);
    out.result(report, () => [`${when(report.at)}  every ${every}, Ctrl-C to stop`, '', ...lines]);
  } else {
    out.result(report, () => [`--- ${when(report.at)}`, ...lines, '']);
  }
}
