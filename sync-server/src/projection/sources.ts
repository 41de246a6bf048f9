/**
 * Where the projection reads thread documents from: the sync hub's loaded copy while the server
 * runs (no second copy in memory, no log replay), or the document store (rebuilds, catching up at
 * start, after the hub has shut down).
 */
import type * as Y from 'yjs';
import { threadDoc, type ThreadId } from '@caucus/schema';
import type { DocStore } from '../storage/doc-store.js';
import { buildDoc } from '../storage/fold.js';
import type { SyncHub } from '../sync/hub.js';

export interface ThreadSource {
  /**
   * Runs `read` synchronously on thread `threadId`'s document and the last log seq it holds; the
   * document must not be kept or changed. An unknown document reads as empty with seq 0.
   */
  read<T>(threadId: ThreadId, read: (doc: Y.Doc, seq: number) => T): Promise<T>;
}

/** Reads the hub's copy (loading the document when needed; the hub unloads it when idle). */
export function hubSource(hub: Pick<SyncHub, 'open' | 'read'>): ThreadSource {
  return {
    async read(threadId, read) {
      const name = threadDoc(threadId);
      const ref = { kind: 'thread', id: threadId } as const;
      // `read` waits for queued commits and schedules the unload of a document nobody is
      // connected to; the room gives the seq that goes with the content.
      for (let attempt = 0; attempt < 3; attempt++) {
        const room = await hub.open(name, ref);
        const done = await hub.read(name, ref, (doc) =>
          doc === room.doc ? { value: read(doc, room.lastSeq) } : null,
        );
        if (done) return done.value;
      }
      throw new Error(`${name} was reloaded while it was being read`);
    },
  };
}

/** Reads from storage: the snapshot and the log after it, folded into a fresh document. */
export function storeSource(store: Pick<DocStore, 'load'>): ThreadSource {
  return {
    async read(threadId, read) {
      const stored = await store.load(threadDoc(threadId));
      const doc = buildDoc(stored);
      try {
        return read(doc, stored.lastSeq);
      } finally {
        doc.destroy();
      }
    },
  };
}
