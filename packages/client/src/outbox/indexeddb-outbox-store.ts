/**
 * Browser: the outbox in IndexedDB, one object store keyed by intent id, each value carrying its
 * `seq`. Tabs share it; a tab assigns the next seq from what it reads in the same transaction.
 */
import { sharedKeyValueDb } from '../storage/idb.js';
import { encodeRecord } from './record.js';
import type { OutboxStore } from './store.js';

export const OUTBOX_IDB_NAME = 'caucus-outbox';
const STORES = ['outbox'];

interface Row {
  seq: number;
  id: string;
  record: unknown;
}

export function indexedDbOutboxStore(dbName: string = OUTBOX_IDB_NAME): OutboxStore {
  const db = () => sharedKeyValueDb(dbName, STORES);
  const rows = async () => ((await db().run('outbox', 'readonly', (s) => s.getAll())) as Row[]) ?? [];
  return {
    async load() {
      return (await rows())
        .sort((a, b) => a.seq - b.seq)
        .map((r) => ({ seq: r.seq, id: r.id, value: r.record }));
    },
    async add(record) {
      // Millisecond-based seqs keep tabs from colliding without a read-modify-write across them.
      const existing = await rows();
      const seq = Math.max(Date.now() * 1000, ...existing.map((r) => r.seq + 1));
      const row: Row = { seq, id: record.intent.id, record };
      await db().run('outbox', 'readwrite', (s) => s.put(row, row.id));
      return seq;
    },
    async update(record) {
      const row: Row = { seq: record.seq, id: record.intent.id, record: encodeRecord(record) };
      await db().run('outbox', 'readwrite', (s) => s.put(row, row.id));
    },
    async delete(id) {
      await db().run('outbox', 'readwrite', (s) => s.delete(id));
    },
    close: () => Promise.resolve(),
  };
}
