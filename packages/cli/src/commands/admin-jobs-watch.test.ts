import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AdminJobs, ApiResult } from '@caucus/client';
import { CliError } from '../exit-codes.js';
import { output } from '../output.js';
import { watchIntervalMs, watchJobs } from './admin-jobs-watch.js';

const CLEAR = '\x1b[2J\x1b[H';

function report(at: number): AdminJobs {
  return { at, queues: [], recentFailures: [] };
}

const away: ApiResult<AdminJobs> = {
  ok: false,
  error: { code: 'network', message: 'fetch failed', status: null },
};

/** A terminal watch over scripted answers; SIGINT once they are used up. */
async function watchOnTerminal(answers: Array<ApiResult<AdminJobs>>) {
  const signals = new EventEmitter();
  let written = '';
  const streams = {
    out: { write: (s: string) => (written += s) },
    err: { write: (s: string) => (written += `[err]${s}`) },
  } as unknown as Parameters<typeof output>[1];
  const queue = [...answers];
  await watchJobs({
    poll: () => {
      const next = queue.shift();
      if (next) return Promise.resolve(next);
      // Interrupted while asking: the answer never comes, and need not.
      signals.emit('SIGINT');
      return new Promise<never>(() => {});
    },
    render: (r) => [`report at ${r.at}`],
    out: output(false, streams),
    write: (s) => (written += s),
    redraw: true,
    intervalMs: 1,
    signals: signals as unknown as Pick<NodeJS.Process, 'once' | 'off'>,
  });
  return { written, listeners: signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM') };
}

describe('watchJobs on a terminal', () => {
  it('clears the screen before each report and each outage, and stops at SIGINT', async () => {
    const { written, listeners } = await watchOnTerminal([{ ok: true, value: report(1) }, away, away]);
    const screens = written.split(CLEAR).slice(1);
    expect(screens).toHaveLength(3);
    expect(screens[0]).toMatch(/^1970-01-01T00:00:00Z {2}every 0.001 s, Ctrl-C to stop\n\nreport at 1\n$/);
    // Each redraw says again why there is no report.
    for (const screen of screens.slice(1))
      expect(screen).toMatch(/^\[err\].* caucus: network: fetch failed — retrying every 0.001 s/);
    expect(listeners).toBe(0);
  });

  it('ends a refusal as a single report does, with its exit code', async () => {
    const refused = {
      ok: false,
      error: { code: 'forbidden', message: 'instance admins only', status: 403 },
    } as ApiResult<AdminJobs>;
    await expect(watchOnTerminal([refused])).rejects.toMatchObject({ code: 'forbidden', exit: 2 });
  });
});

describe('watchIntervalMs', () => {
  it('is 2 s for a bare --watch, the seconds given otherwise, and refuses the rest', () => {
    expect(watchIntervalMs(true)).toBe(2000);
    expect(watchIntervalMs('0.2')).toBe(200);
    for (const bad of ['', 'soon', '0', '-1', '0.05', 'Infinity'])
      expect(() => watchIntervalMs(bad)).toThrow(CliError);
  });
});
