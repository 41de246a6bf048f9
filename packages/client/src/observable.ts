/**
 * Plain observable state: `current` plus `subscribe()`, so any UI (solid signals, React hooks, a
 * CLI printer) adapts it without the client depending on a framework (STYLE §12).
 */
export interface Observable<T> {
  readonly current: T;
  /** Calls `listener` on every change (not with the current value); returns the unsubscribe. */
  subscribe(listener: (value: T) => void): () => void;
}

/** A value that notifies its listeners when it is replaced. Listeners never break each other. */
export class Store<T> implements Observable<T> {
  readonly #listeners = new Set<(value: T) => void>();
  #value: T;

  constructor(initial: T) {
    this.#value = initial;
  }

  get current(): T {
    return this.#value;
  }

  set(value: T): void {
    if (Object.is(value, this.#value)) return;
    this.#value = value;
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (err) {
        // A failing view must not stop the others from hearing about the change, nor the sync.
        reportListenerError(err);
      }
    }
  }

  update(fn: (value: T) => T): void {
    this.set(fn(this.#value));
  }

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Where a listener's exception goes: the browser's `reportError`, else the console. */
export function reportListenerError(err: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (report) report(err);
  else console.error('a @caucus/client listener failed:', err);
}
