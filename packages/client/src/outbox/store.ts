/**
 * Where queued intents are kept: next to the documents (SQLite in a Node state dir, IndexedDB in
 * the browser), or in memory for tests. Rows are kept as the format-versioned JSON of
 * `record.ts`; the store only orders and persists them.
 */
import { encodeRecord, type OutboxRecord, type RawRecord } from './record.js';

export interface OutboxStore {
  /** Every row, oldest first. */
  load(): Promise<RawRecord[]>;
  /** Stores a new record and answers its `seq` (greater than every stored one). */
  add(record: Omit<OutboxRecord, 'seq'>): Promise<number>;
  /** Replaces the record with `record.intent.id`. */
  update(record: OutboxRecord): Promise<void>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

export function memoryOutboxStore(rows: RawRecord[] = []): OutboxStore {
  const byId = new Map(rows.map((r) => [r.id, { ...r }]));
  let last = Math.max(0, ...rows.map((r) => r.seq));
  return {
    load: () => Promise.resolve([...byId.values()].sort((a, b) => a.seq - b.seq).map((r) => ({ ...r }))),
    add(record) {
      const seq = ++last;
      byId.set(record.intent.id, { seq, id: record.intent.id, value: structuredClone(record) });
      return Promise.resolve(seq);
    },
    update(record) {
      byId.set(record.intent.id, {
        seq: record.seq,
        id: record.intent.id,
        value: structuredClone(encodeRecord(record)),
      });
      return Promise.resolve();
    },
    delete(id) {
      byId.delete(id);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
