/**
 * The solid adapter (STYLE 12: the UI adapts, never owns): the client's `current` + `subscribe()`
 * observables and document views become signals that unsubscribe with their owner.
 */
import { createSignal, onCleanup, type Accessor } from 'solid-js';

export interface ObservableLike<T> {
  readonly current: T;
  subscribe(listener: (value: T) => void): () => void;
}

export function fromObservable<T>(source: ObservableLike<T>): Accessor<T> {
  const [value, set] = createSignal<T>(source.current, { equals: false });
  const off = source.subscribe(() => set(() => source.current));
  onCleanup(off);
  return value;
}

/** A value read from a document view, read again after every change of that document. */
export function fromDoc<T>(
  view: { subscribe(listener: () => void): () => void },
  read: () => T,
): Accessor<T> {
  const [value, set] = createSignal<T>(read(), { equals: false });
  const off = view.subscribe(() => set(() => read()));
  onCleanup(off);
  return value;
}
