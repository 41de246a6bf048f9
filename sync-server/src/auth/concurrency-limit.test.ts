import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { ConcurrencyLimit } from './concurrency-limit.js';

/** A task that finishes (or fails) when the test says so. */
function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

describe('ConcurrencyLimit', () => {
  it('runs at most `concurrency` tasks, the others in arrival order as slots free up', async () => {
    const limit = new ConcurrencyLimit(2, 10);
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limit.run(async () => {
        started.push(i);
        await g.done;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limit.load).toEqual({ running: 2, waiting: 3 });
    gates[1]?.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    // A failing task frees its slot too.
    gates[0]?.fail(new Error('boom'));
    await expect(runs[0]).rejects.toThrow('boom');
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3, 4]);
    expect(limit.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a task at once with 503 and Retry-After when the queue is full', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    const g = gate();
    const first = limit.run(() => g.done);
    const second = limit.run(() => Promise.resolve('queued'));
    const refused: unknown = await limit.run(() => Promise.resolve('never')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'unavailable', status: 503, retryAfterSeconds: 1 });
    g.open();
    await first;
    expect(await second).toBe('queued');
  });
});
