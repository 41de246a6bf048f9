/**
 * The upload service's per-upload queue: finishing, deleting and expiring one upload never
 * overlap, while different uploads proceed independently.
 */
import type { UploadId } from '@caucus/schema';

export class SerialQueue {
  readonly #queues = new Map<UploadId, Promise<unknown>>();

  /** Runs `fn` after everything queued for `id` so far has settled (whatever its outcome). */
  run<T>(id: UploadId, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return next;
  }

  /** Waits for running operations. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()]);
  }
}
