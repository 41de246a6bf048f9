/**
 * The contract every {@link JobStore} passes: call `runJobStoreContract` from an implementation's
 * test with a factory. (Not a test file itself; excluded from builds.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore } from './job-store.js';

/** A controllable clock: the store reads `now`, the test moves it. */
export interface TestClock {
  now: number;
}

export interface JobStoreHarness<Tx> {
  store: JobStore<Tx>;
  /** Runs `fn` in one transaction of the engine; a throw rolls it back (and is rethrown). */
  transaction(fn: (tx: Tx) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const LEASE_MS = 30_000;

export function runJobStoreContract<Tx>(
  name: string,
  make: (clock: TestClock) => Promise<JobStoreHarness<Tx>>,
): void {
  describe(`JobStore contract: ${name}`, () => {
    const open: JobStoreHarness<Tx>[] = [];
    afterEach(async () => {
      for (const h of open.splice(0)) await h.close();
    });
    async function setup() {
      const clock: TestClock = { now: 1_000_000 };
      const h = await make(clock);
      open.push(h);
      const claim = (owner = 'a', limit = 10) => h.store.claim({ owner, limit, leaseMs: LEASE_MS });
      return { clock, store: h.store, h, claim };
    }

    it('runs a job once it is due, and not before', async () => {
      const { clock, store, claim } = await setup();
      const id = await store.enqueue({ queue: 'q', payload: { n: 1 }, runAt: clock.now + 5_000 });
      expect(id).not.toBeNull();
      expect(await claim()).toEqual([]);
      clock.now += 5_000;
      const [job, ...rest] = await claim();
      expect(rest).toEqual([]);
      expect(job).toMatchObject({ id, queue: 'q', payload: { n: 1 }, state: 'running', attempts: 1 });
      expect(await claim('b')).toEqual([]);
      expect(await store.complete(job!)).toBe(true);
      expect((await store.get(id!))?.state).toBe('done');
      clock.now += 60_000;
      expect(await claim()).toEqual([]);
    });

    it('claims oldest due first, at most `limit`, from the queues asked for', async () => {
      const { clock, store } = await setup();
      await store.enqueue({ queue: 'late', payload: {}, runAt: clock.now - 10 });
      await store.enqueue({ queue: 'early', payload: {}, runAt: clock.now - 30 });
      await store.enqueue({ queue: 'other', payload: {}, runAt: clock.now - 50 });
      const got = await store.claim({ owner: 'a', limit: 2, leaseMs: LEASE_MS, queues: ['late', 'early'] });
      expect(got.map((j) => j.queue)).toEqual(['early', 'late']);
    });

    it('enqueues in the caller’s transaction: rolled back, the job is gone', async () => {
      const { store, h, claim } = await setup();
      await expect(
        h.transaction(async (tx) => {
          await store.enqueue({ queue: 'q', payload: { kept: false }, key: 'k1' }, tx);
          throw new Error('the intent failed');
        }),
      ).rejects.toThrow('the intent failed');
      await h.transaction(async (tx) => {
        await store.enqueue({ queue: 'q', payload: { kept: true }, key: 'k2' }, tx);
      });
      expect((await claim()).map((j) => j.payload)).toEqual([{ kept: true }]);
    });

    it('keeps one job per key until it finishes, then takes the key again', async () => {
      const { store, claim } = await setup();
      const first = await store.enqueue({ queue: 'q', payload: { v: 1 }, key: 'reminder:d1:24h' });
      expect(await store.enqueue({ queue: 'q', payload: { v: 2 }, key: 'reminder:d1:24h' })).toBeNull();
      const [job] = await claim();
      expect(job?.payload).toEqual({ v: 1 });
      expect(await store.enqueue({ queue: 'q', payload: { v: 3 }, key: 'reminder:d1:24h' })).toBeNull();
      await store.complete(job!);
      expect(await store.enqueue({ queue: 'q', payload: { v: 4 }, key: 'reminder:d1:24h' })).not.toBeNull();
      expect((await claim()).map((j) => j.payload)).toEqual([{ v: 4 }]);
      expect(first).not.toBeNull();
    });

    it('keeps a dead job when its key is enqueued again', async () => {
      const { store, claim } = await setup();
      const dead = await store.enqueue({ queue: 'q', payload: { v: 1 }, key: 'k', maxAttempts: 1 });
      const [job] = await claim();
      expect(await store.fail(job!, 'gone wrong', 0)).toBe('dead');
      const next = await store.enqueue({ queue: 'q', payload: { v: 2 }, key: 'k' });
      expect(next).not.toBeNull();
      expect(next).not.toBe(dead);
      expect(await store.get(dead!)).toMatchObject({
        state: 'dead',
        lastError: 'gone wrong',
        payload: { v: 1 },
      });
      expect(await store.get(next!)).toMatchObject({ state: 'waiting', key: 'k', payload: { v: 2 } });
      expect(await store.enqueue({ queue: 'q', payload: { v: 3 }, key: 'k' })).toBeNull();
    });

    it('cancels a waiting job by key, in the caller’s transaction too', async () => {
      const { clock, store, h, claim } = await setup();
      await store.enqueue({ queue: 'q', payload: {}, key: 'a', runAt: clock.now + 10 });
      await store.enqueue({ queue: 'q', payload: {}, key: 'b', runAt: clock.now + 10 });
      expect(await store.cancel('a')).toBe(1);
      expect(await store.cancel('a')).toBe(0);
      await expect(
        h.transaction(async (tx) => {
          await store.cancel('b', tx);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow();
      clock.now += 10;
      expect((await claim()).map((j) => j.key)).toEqual(['b']);
    });

    it('retries after the delay asked for, then dead-letters with the last error', async () => {
      const { clock, store, claim } = await setup();
      const id = await store.enqueue({ queue: 'q', payload: {}, maxAttempts: 3 });
      for (let attempt = 1; attempt <= 2; attempt++) {
        const [job] = await claim();
        expect(job?.attempts).toBe(attempt);
        expect(await store.fail(job!, `boom ${attempt}`, 1_000 * attempt)).toBe('retrying');
        expect(await claim()).toEqual([]);
        clock.now += 1_000 * attempt - 1;
        expect(await claim()).toEqual([]);
        clock.now += 1;
      }
      const [last] = await claim();
      expect(await store.fail(last!, 'boom 3', 1_000)).toBe('dead');
      clock.now += 3_600_000;
      expect(await claim()).toEqual([]);
      expect(await store.get(id!)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'boom 3' });
      const failures = await store.recentFailures(10);
      expect(failures.map((j) => j.id)).toEqual([id]);
    });

    it('gives a job whose lease expired to another runner (a dead process), and not before', async () => {
      const { clock, store, claim } = await setup();
      const id = await store.enqueue({ queue: 'q', payload: {} });
      const [held] = await claim('dead-process');
      clock.now += LEASE_MS - 1;
      expect(await claim('b')).toEqual([]);
      clock.now += 1;
      const [again] = await claim('b');
      expect(again).toMatchObject({ id, leaseOwner: 'b', attempts: 2 });
      // The old holder lost it: its late answer changes nothing.
      expect(await store.complete(held!)).toBe(false);
      expect(await store.fail(held!, 'late', 0)).toBe('lost');
      expect(await store.complete(again!)).toBe(true);
      expect((await store.get(id!))?.state).toBe('done');
    });

    it('ends every lease at a start that knows the holders are dead: claimed at once, attempt counted', async () => {
      const { clock, store, claim } = await setup();
      const id = await store.enqueue({ queue: 'q', payload: {} });
      const other = await store.enqueue({ queue: 'q', payload: {}, runAt: clock.now + 60_000 });
      expect(await claim('killed')).toMatchObject([{ id }]);
      clock.now += 1;
      expect(await claim('restarted')).toEqual([]);
      expect(await store.expireLeases()).toBe(1);
      expect(await claim('restarted')).toMatchObject([{ id, leaseOwner: 'restarted', attempts: 2 }]);
      // A waiting job is not touched.
      expect(await store.get(other!)).toMatchObject({ state: 'waiting', attempts: 0 });
    });

    it('dead-letters a job whose lease expired with its attempts spent (it kills its process)', async () => {
      const { clock, store, claim } = await setup();
      const id = await store.enqueue({ queue: 'q', payload: {}, maxAttempts: 2 });
      expect(await claim('p1')).toHaveLength(1);
      clock.now += LEASE_MS;
      expect(await claim('p2')).toMatchObject([{ id, attempts: 2 }]);
      clock.now += LEASE_MS;
      expect(await claim('p3')).toEqual([]);
      expect(await store.get(id!)).toMatchObject({
        state: 'dead',
        attempts: 2,
        leaseOwner: null,
        lastError: 'lease expired 2 times: the process running it died or hung',
      });
    });

    it('renews the leases a runner still holds, and only those', async () => {
      const { clock, store, claim } = await setup();
      const id = await store.enqueue({ queue: 'q', payload: {} });
      const [held] = await claim('a');
      clock.now += LEASE_MS - 1;
      expect(await store.renew('b', [id!], LEASE_MS)).toBe(0);
      expect(await store.renew('a', [id!], LEASE_MS)).toBe(1);
      clock.now += LEASE_MS - 1;
      expect(await claim('b')).toEqual([]);
      clock.now += 1;
      expect(await claim('b')).toMatchObject([{ id, attempts: 2 }]);
      expect(await store.renew('a', [held!.id], LEASE_MS)).toBe(0);
    });

    it('prunes done and cancelled jobs older than asked, keeping live and dead ones', async () => {
      const { clock, store, claim } = await setup();
      const done = await store.enqueue({ queue: 'q', payload: {}, key: 'done' });
      const dead = await store.enqueue({ queue: 'q', payload: {}, key: 'dead', maxAttempts: 1 });
      const [a, b] = await claim();
      await store.complete(a!.id === done ? a! : b!);
      await store.fail(a!.id === dead ? a! : b!, 'no', 0);
      const cancelled = await store.enqueue({ queue: 'q', payload: {}, key: 'c', runAt: clock.now + 1 });
      await store.cancel('c');
      const waiting = await store.enqueue({ queue: 'q', payload: {}, runAt: clock.now + 99_999 });
      clock.now += 1_000;
      const recent = await store.enqueue({ queue: 'q', payload: {}, key: 'recent' });
      const [r] = await claim();
      await store.complete(r!);
      expect(await store.prune(clock.now - 500)).toBe(2);
      expect(await store.get(done!)).toBeNull();
      expect(await store.get(cancelled!)).toBeNull();
      for (const id of [dead, waiting, recent]) expect(await store.get(id!)).not.toBeNull();
    });

    it('clears the last error when a recurring job succeeds', async () => {
      const { store, claim } = await setup();
      const id = await store.enqueue({ queue: 'q', payload: {}, key: 'tick', repeatEveryMs: 1_000 });
      const [job] = await claim();
      await store.fail(job!, 'once', 0);
      const [again] = await claim();
      expect(await store.complete(again!)).toBe(true);
      expect(await store.get(id!)).toMatchObject({ state: 'waiting', lastError: null });
    });

    it('releases what a runner holds on shutdown, due at once, the attempt not counted', async () => {
      const { store, claim } = await setup();
      await store.enqueue({ queue: 'q', payload: { n: 1 } });
      await store.enqueue({ queue: 'q', payload: { n: 2 } });
      await store.enqueue({ queue: 'q', payload: { n: 3 } });
      const held = await claim('a', 2);
      await claim('other', 1);
      expect(await store.release('a')).toBe(2);
      const again = await claim('b');
      expect(again.map((j) => j.payload.n).sort()).toEqual([1, 2]);
      expect(again.every((j) => j.attempts === 1)).toBe(true);
      expect(held).toHaveLength(2);
    });

    it('runs a recurring job again each period, skipping the turns it missed', async () => {
      const { clock, store, claim } = await setup();
      const start = clock.now;
      await store.enqueue({ queue: 'tick', payload: {}, key: 'tick', runAt: start, repeatEveryMs: 1_000 });
      const [first] = await claim();
      await store.complete(first!);
      expect(await claim()).toEqual([]);
      clock.now = start + 3_500;
      const [late] = await claim();
      expect(late?.runAt).toBe(start + 1_000);
      await store.complete(late!);
      expect((await store.get(late!.id))?.runAt).toBe(start + 4_000);
      expect(await store.enqueue({ queue: 'tick', payload: {}, key: 'tick' })).toBeNull();
      expect(await store.cancel('tick')).toBe(1);
      clock.now += 10_000;
      expect(await claim()).toEqual([]);
    });

    it('counts per queue and state with the oldest due job’s age; retries and discards dead jobs', async () => {
      const { clock, store } = await setup();
      await store.enqueue({ queue: 'a', payload: {}, runAt: clock.now - 2_000, maxAttempts: 1 });
      await store.enqueue({ queue: 'a', payload: {}, runAt: clock.now + 2_000 });
      await store.enqueue({ queue: 'b', payload: {}, runAt: clock.now - 500 });
      const [dying] = await store.claim({ owner: 'x', limit: 1, leaseMs: LEASE_MS, queues: ['a'] });
      expect(await store.fail(dying!, 'no', 0)).toBe('dead');
      const counts = await store.counts();
      expect(counts).toEqual([
        { queue: 'a', waiting: 1, due: 0, running: 0, done: 0, dead: 1, cancelled: 0, oldestDueAgeMs: 0 },
        { queue: 'b', waiting: 1, due: 1, running: 0, done: 0, dead: 0, cancelled: 0, oldestDueAgeMs: 500 },
      ]);
      expect(await store.retry(dying!.id)).toBe(true);
      expect(await store.retry(dying!.id)).toBe(false);
      const [again] = await store.claim({ owner: 'y', limit: 1, leaseMs: LEASE_MS, queues: ['a'] });
      expect(again).toMatchObject({ id: dying!.id, attempts: 1 });
      expect(await store.fail(again!, 'still no', 0)).toBe('dead');
      expect(await store.discard(again!.id)).toBe(true);
      expect((await store.get(again!.id))?.state).toBe('cancelled');
      expect(await store.discard(again!.id)).toBe(false);
    });
  });
}
