/**
 * When the hub's deferred work runs: the next event-loop turn (commit flushes, compactions) and
 * timers (idle unloads). Injected through the hub's options so that tests can run turns and timers
 * by hand; the default is Node's `setImmediate` and an unref'd `setTimeout`.
 */

export interface HubScheduler {
  /** Runs `fn` on a later turn of the event loop, after the I/O of this one. */
  nextTurn(fn: () => void): void;
  /** Runs `fn` after `ms` unless the returned function cancels it first; never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
}

export const realScheduler: HubScheduler = {
  nextTurn(fn) {
    setImmediate(fn);
  },
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
