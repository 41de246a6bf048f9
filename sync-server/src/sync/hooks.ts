/**
 * The hub's lifecycle hooks: the seam that work around the write path attaches to (the read
 * model's projection, governance, later cluster fan-out), the way Hocuspocus extensions attach.
 *
 * - `loaded`: a document was read from storage into memory, before any connection is attached to
 *   it or any server-side change or read runs on it.
 * - `committed` (the change hook): updates of one document were committed to storage in one
 *   batch; they have already been relayed to its connections and acknowledged. Nothing reaches
 *   storage any other way, so this is where derived state follows the documents.
 * - `unloaded`: an idle document was compacted and dropped from memory.
 *
 * Not emitted: `unloaded` for documents dropped after a failed commit (their clients are
 * disconnected and the next load starts from storage) or left in memory at shutdown.
 *
 * Listeners run synchronously in registration order; a listener that throws is logged and the
 * others still run (listeners.ts), because the write it describes has already happened.
 */
import type * as Y from 'yjs';
import type { DocName, DocRef } from '@caucus/schema';
import { Listeners } from '../listeners.js';
import type { AppendEntry } from '../storage/doc-store.js';

export interface LoadedEvent {
  doc: DocName;
  ref: DocRef;
  /** The last update-log seq in storage when it was loaded. */
  lastSeq: number;
}

/** Updates of one document committed together, in seq order. */
export interface CommittedEvent {
  doc: DocName;
  ref: DocRef;
  entries: readonly AppendEntry[];
  /** The document as committed; read it synchronously in the listener, do not keep or change it. */
  ydoc: Y.Doc;
}

/** A bundle of hooks attached at once (every one optional), like a Hocuspocus extension. */
export interface HubExtension {
  onLoaded?(event: LoadedEvent): void;
  onCommitted?(event: CommittedEvent): void;
  onUnloaded?(doc: DocName): void;
}

export class HubHooks {
  readonly loaded: Listeners<LoadedEvent>;
  readonly committed: Listeners<CommittedEvent>;
  readonly unloaded: Listeners<DocName>;

  constructor(report: (err: unknown) => void) {
    this.loaded = new Listeners(report);
    this.committed = new Listeners(report);
    this.unloaded = new Listeners(report);
  }

  /** Attaches every hook `extension` has; returns the function that detaches them all. */
  use(extension: HubExtension): () => void {
    const offs: Array<() => void> = [];
    if (extension.onLoaded) offs.push(this.loaded.add((e) => extension.onLoaded?.(e)));
    if (extension.onCommitted) offs.push(this.committed.add((e) => extension.onCommitted?.(e)));
    if (extension.onUnloaded) offs.push(this.unloaded.add((doc) => extension.onUnloaded?.(doc)));
    return () => {
      for (const off of offs) off();
    };
  }
}
