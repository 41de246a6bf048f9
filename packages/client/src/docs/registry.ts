/**
 * Documents by name, reference-counted: however many views open a document, there is one entry
 * (one Y.Doc, one store binding, one subscription). The last release closes it.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { parseDocName, type DocName } from '@caucus/schema';
import { ClientError } from '../errors.js';
import type { Observable } from '../observable.js';
import type { ClientStorage } from '../storage/types.js';
import { DocEntry, type DocStatus } from './entry.js';

/** One view's hold on an open document. */
export interface DocHandle {
  readonly name: DocName;
  /** The document; a new one after the server's copy replaced a refused change (see `onChange`). */
  readonly doc: Y.Doc;
  /** Presence for this document (made on first use). */
  readonly awareness: Awareness;
  /** Resolves once the locally stored state is in `doc`. */
  readonly whenLoaded: Promise<void>;
  /** Resolves the first time the document caught up with the server; rejects if it was refused. */
  readonly whenSynced: Promise<void>;
  readonly status: Observable<DocStatus>;
  /** Calls `listener` after every change of the document, and with the new one when it is replaced. */
  onChange(listener: (doc: Y.Doc) => void): () => void;
  /** Gives the hold back; the document closes when the last one is released. Idempotent. */
  release(): void;
}

export interface RegistryHooks {
  /** A document was opened (first hold). */
  opened(entry: DocEntry): void;
  /** A document's last hold was released; it is closing. */
  closing(entry: DocEntry): void;
  /** A document already open got another hold (a view opened it again). */
  held?(entry: DocEntry): void;
}

export class DocRegistry {
  private readonly entries = new Map<string, DocEntry>();
  private closed = false;

  constructor(
    private readonly storage: ClientStorage,
    private readonly hooks: RegistryHooks,
  ) {}

  open(name: string): DocHandle {
    if (this.closed) throw new ClientError('closed', 'the client is closed');
    const ref = parseDocName(name);
    if (!ref) throw new ClientError('invalid-doc-name', `not a document name: ${JSON.stringify(name)}`);
    let entry = this.entries.get(name);
    if (!entry) {
      entry = new DocEntry(name as DocName, ref, this.storage);
      this.entries.set(name, entry);
      this.hooks.opened(entry);
    } else this.hooks.held?.(entry);
    entry.refs++;
    return this.handle(entry);
  }

  get(name: string): DocEntry | undefined {
    return this.entries.get(name);
  }

  all(): IterableIterator<DocEntry> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  private handle(entry: DocEntry): DocHandle {
    let released = false;
    const listeners = new Set<() => void>();
    return {
      name: entry.name,
      get doc() {
        return entry.doc;
      },
      get awareness() {
        return entry.awareness();
      },
      whenLoaded: entry.whenLoaded,
      whenSynced: entry.synced.promise,
      status: entry.status,
      onChange(listener) {
        const off = entry.onChange(listener);
        listeners.add(off);
        return () => {
          off();
          listeners.delete(off);
        };
      },
      release: () => {
        if (released) return;
        released = true;
        for (const off of listeners) off();
        this.release(entry);
      },
    };
  }

  private release(entry: DocEntry): void {
    if (--entry.refs > 0 || this.entries.get(entry.name) !== entry) return;
    this.entries.delete(entry.name);
    this.hooks.closing(entry);
    void entry.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) this.hooks.closing(entry);
    await Promise.all(all.map((e) => e.close()));
  }
}
