import { ApiError } from '../errors.js';

/** What a refused task is told: try again in about this long. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Runs at most `concurrency` tasks at once, in arrival order; up to `maxWaiting` more wait for a
 * slot, and beyond that a task is refused at once (503 `unavailable`, `Retry-After`) rather than
 * queued behind seconds of work.
 */
export class ConcurrencyLimit {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be ≥ 1');
  }

  /** Tasks running now and tasks waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.concurrency) {
      this.#running++;
    } else {
      if (this.#waiting.length >= this.maxWaiting) {
        throw new ApiError('unavailable', 'too many password checks at once; retry shortly', {
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
      // The finishing task hands its slot over, so `running` stays as it is.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
