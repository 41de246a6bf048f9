import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { handleShutdownSignals } from './shutdown.js';

function setup(close: () => Promise<void>, timeoutMs: number) {
  const signals = new EventEmitter();
  const lines: Array<{ level: string; msg: string }> = [];
  const logger = {
    info: (_: unknown, msg: string) => void lines.push({ level: 'info', msg }),
    error: (_: unknown, msg: string) => void lines.push({ level: 'error', msg }),
  };
  const exits: number[] = [];
  const exited = new Promise<number>((resolve) => {
    handleShutdownSignals({
      close,
      logger: logger as never,
      timeoutMs,
      exit: (code) => {
        exits.push(code);
        resolve(code);
      },
      signals: signals as never,
    });
  });
  return { signals, lines, exits, exited };
}

describe('handleShutdownSignals', () => {
  it('exits 0 once the graceful shutdown is done, and ignores a second signal', async () => {
    let closes = 0;
    const s = setup(() => Promise.resolve(void closes++), 60_000);
    s.signals.emit('SIGTERM', 'SIGTERM');
    s.signals.emit('SIGINT', 'SIGINT');
    expect(await s.exited).toBe(0);
    expect(closes).toBe(1);
    expect(s.lines).toEqual([{ level: 'info', msg: 'shutting down' }]);
  });

  it('exits 1 after the timeout when the shutdown never finishes', async () => {
    const started = performance.now();
    const s = setup(() => new Promise<void>(() => {}), 50);
    s.signals.emit('SIGINT', 'SIGINT');
    expect(await s.exited).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(s.lines.at(-1)).toEqual({ level: 'error', msg: 'shutdown timed out; exiting anyway' });
  });

  it('exits 1 when the shutdown fails, once', async () => {
    const s = setup(() => Promise.reject(new Error('disk gone')), 60_000);
    s.signals.emit('SIGTERM', 'SIGTERM');
    expect(await s.exited).toBe(1);
    expect(s.exits).toEqual([1]);
    expect(s.lines.at(-1)).toEqual({ level: 'error', msg: 'shutdown failed' });
  });
});
