/**
 * The refused list: changes the server would not accept, kept (in the store too) until the user
 * exports or discards them.
 */
import { ClientError } from '../errors.js';
import { Store, type Observable } from '../observable.js';
import type { RefusedStore } from '../storage/types.js';
import type { RefusedChange, RefusedExport } from './refused.js';

export class RefusedList implements Observable<readonly RefusedChange[]> {
  private readonly store = new Store<readonly RefusedChange[]>([]);
  /** Resolves once what the local store kept from earlier runs is in the list. */
  readonly whenLoaded: Promise<void>;

  constructor(private readonly persisted: RefusedStore) {
    this.whenLoaded = persisted.list().then(
      (earlier) => {
        const known = new Set(this.store.current.map((c) => c.id));
        this.store.set([...earlier.filter((c) => !known.has(c.id)), ...this.store.current]);
      },
      () => undefined,
    );
  }

  get current(): readonly RefusedChange[] {
    return this.store.current;
  }

  subscribe(listener: (value: readonly RefusedChange[]) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Keeps a refused change (called by the sync session). */
  add(change: RefusedChange): void {
    this.store.set([...this.store.current, change]);
    void this.persisted.put(change).catch(() => undefined);
  }

  /** The refused change as a Yjs update and its summary, e.g. to save to a file or apply elsewhere. */
  export(id: string): RefusedExport {
    const change = this.store.current.find((c) => c.id === id);
    if (!change) throw new ClientError('not-found', `no refused change ${id}`);
    return { doc: change.doc, reason: change.reason, update: change.update, summary: change.summary };
  }

  /** Forgets a refused change for good. */
  async discard(id: string): Promise<void> {
    if (!this.store.current.some((c) => c.id === id))
      throw new ClientError('not-found', `no refused change ${id}`);
    this.store.set(this.store.current.filter((c) => c.id !== id));
    await this.persisted.remove(id);
  }
}
