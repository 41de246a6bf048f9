/**
 * The outbox's store writes, one at a time in the order they were asked for: a submission, a
 * verdict and a discard of the same intent reach the store (and the ledger) in that order, and a
 * failed write does not stop the ones after it.
 */
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every write queued before it, settled or failed. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Settles once every write queued so far has finished. */
  idle(): Promise<unknown> {
    return this.#tail;
  }
}
