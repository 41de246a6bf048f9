/** What every typed document view shares: the handle underneath, change notifications, release. */
import type * as Y from 'yjs';
import type { Observable } from '../observable.js';
import type { DocStatus } from './entry.js';
import type { DocHandle } from './registry.js';

export abstract class DocView {
  constructor(readonly handle: DocHandle) {}

  /** The current document (replaced after a refused change; views read it on every call). */
  get doc(): Y.Doc {
    return this.handle.doc;
  }

  get status(): Observable<DocStatus> {
    return this.handle.status;
  }

  get whenSynced(): Promise<void> {
    return this.handle.whenSynced;
  }

  get whenLoaded(): Promise<void> {
    return this.handle.whenLoaded;
  }

  /** Calls `listener` after every change of the document (remote, local, or a reset). */
  subscribe(listener: () => void): () => void {
    return this.handle.onChange(() => listener());
  }

  release(): void {
    this.handle.release();
  }
}

/** The plain values of a Y.Map whose values are plain objects, skipping what is not an object. */
export function plainValues<T>(map: Y.Map<unknown>): T[] {
  const out: T[] = [];
  for (const value of map.values())
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) out.push(value as T);
  return out;
}
