/**
 * A tiny typed listener set. Events are emitted after the write they describe has committed, so a
 * failing listener must not fail the caller (the client would retry a write that already happened):
 * its error goes to `onError` and the other listeners still run.
 */
export class Listeners<E> {
  readonly #listeners = new Set<(event: E) => void>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (event: E) => void): () => void {
    // Wrapped so that adding the same function twice gives two independent subscriptions.
    const entry = (event: E): void => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(event: E): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
