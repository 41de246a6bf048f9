/**
 * Storage in memory: for tests and ephemeral scripts. A client closed and created again on the
 * same `memoryStorage()` finds everything, as it would on disk.
 */
import * as Y from 'yjs';
import type { RefusedChange } from '../docs/refused.js';
import {
  COMPACT_EVERY_UPDATES,
  COMPACT_ON_LOAD_RECORDS,
  type ClientStorage,
  type DocBinding,
  type LoadedDoc,
  hasContent,
} from './types.js';

interface StoredDoc {
  updates: Uint8Array[];
  acked: Uint8Array | null;
}

export function memoryStorage(): ClientStorage {
  const docs = new Map<string, StoredDoc>();
  const refused = new Map<string, RefusedChange>();
  const meta = new Map<string, string>();

  return {
    kind: 'memory',
    bind(name, doc) {
      return new MemoryBinding(docs, name, doc);
    },
    refused: {
      list: () => Promise.resolve([...refused.values()].sort((a, b) => a.at - b.at)),
      put: (change) => {
        refused.set(change.id, { ...change, update: change.update.slice() });
        return Promise.resolve();
      },
      remove: (id) => {
        refused.delete(id);
        return Promise.resolve();
      },
    },
    meta: {
      get: (key) => Promise.resolve(meta.get(key) ?? null),
      set: (key, value) => {
        if (value === null) meta.delete(key);
        else meta.set(key, value);
        return Promise.resolve();
      },
    },
    docNames: () => Promise.resolve([...docs.keys()]),
    close: () => Promise.resolve(),
  };
}

class MemoryBinding implements DocBinding {
  readonly loaded: Promise<LoadedDoc>;
  readonly origin: unknown = this;
  private closed = false;
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this || this.closed) return;
    const stored = this.stored();
    stored.updates.push(update.slice());
    if (stored.updates.length > COMPACT_EVERY_UPDATES) stored.updates = [Y.encodeStateAsUpdate(this.doc)];
  };

  constructor(
    private readonly docs: Map<string, StoredDoc>,
    private readonly name: string,
    private readonly doc: Y.Doc,
  ) {
    const stored = this.stored();
    const records = stored.updates.length;
    const before = hasContent(doc) ? Y.encodeStateAsUpdate(doc) : null;
    Y.transact(doc, () => stored.updates.forEach((u) => Y.applyUpdate(doc, u)), this, false);
    if (records > COMPACT_ON_LOAD_RECORDS) stored.updates = [Y.encodeStateAsUpdate(doc)];
    else if (before) stored.updates.push(before);
    doc.on('update', this.onUpdate);
    this.loaded = Promise.resolve({ acked: stored.acked, records });
  }

  private stored(): StoredDoc {
    let stored = this.docs.get(this.name);
    if (!stored) this.docs.set(this.name, (stored = { updates: [], acked: null }));
    return stored;
  }

  saveAcked(stateVector: Uint8Array): void {
    if (!this.closed) this.stored().acked = stateVector.slice();
  }

  clear(): Promise<void> {
    void this.close();
    this.docs.delete(this.name);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.doc.off('update', this.onUpdate);
    return Promise.resolve();
  }
}
