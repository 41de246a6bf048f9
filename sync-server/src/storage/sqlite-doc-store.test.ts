import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tables, threadDoc, type ThreadId } from '@caucus/schema';
import { openDb, type Db } from './db.js';
import { runDocStoreContract } from './doc-store.contract.js';
import { SqliteDocStore } from './sqlite-doc-store.js';

const tempDirs: string[] = [];

function tempDbPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caucus-'));
  tempDirs.push(dir);
  return path.join(dir, 'caucus.db');
}

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

runDocStoreContract('sqlite :memory:', () =>
  Promise.resolve({ store: new SqliteDocStore(openDb({ path: ':memory:' })) }),
);

runDocStoreContract(
  'sqlite file',
  () => {
    const dbPath = tempDbPath();
    let store = new SqliteDocStore(openDb({ path: dbPath }));
    return Promise.resolve({
      store,
      reopen: async () => {
        await store.close();
        store = new SqliteDocStore(openDb({ path: dbPath }));
        return store;
      },
    });
  },
  { persistent: true },
);

describe('SqliteDocStore on a file', () => {
  const doc = threadDoc('alpha' as ThreadId);
  let db: Db;
  let store: SqliteDocStore;

  beforeEach(() => {
    db = openDb({ path: tempDbPath() });
    store = new SqliteDocStore(db);
  });

  afterEach(async () => {
    await store.close();
  });

  function updateRows(): number[] {
    return db
      .select({ seq: tables.docUpdates.seq })
      .from(tables.docUpdates)
      .all()
      .map((row) => row.seq)
      .sort((a, b) => a - b);
  }

  it('is in WAL mode and passes an integrity check after writes', async () => {
    for (let seq = 1; seq <= 50; seq++) {
      await store.append([
        { doc, seq, update: Uint8Array.of(seq), actor: 'user-1', at: seq, newClients: [[seq, 'user-1']] },
      ]);
    }
    await store.writeSnapshot({ doc, state: Uint8Array.of(1), stateVector: Uint8Array.of(2), upTo: 25 });
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('deletes the folded updates from the table, not just from what load returns', async () => {
    await store.append(
      [1, 2, 3, 4].map((seq) => ({ doc, seq, update: Uint8Array.of(seq), actor: 'user-1', at: seq })),
    );
    await store.writeSnapshot({ doc, state: Uint8Array.of(1), stateVector: Uint8Array.of(2), upTo: 3 });
    expect(updateRows()).toEqual([4]);
    // An older snapshot arriving late must not delete anything either.
    await store.writeSnapshot({ doc, state: Uint8Array.of(1), stateVector: Uint8Array.of(2), upTo: 1 });
    expect(updateRows()).toEqual([4]);
  });

  it('stores the state vector next to the snapshot', async () => {
    await store.append([{ doc, seq: 1, update: Uint8Array.of(1), actor: 'user-1', at: 1 }]);
    await store.writeSnapshot({ doc, state: Uint8Array.of(1), stateVector: Uint8Array.of(9, 8), upTo: 1 });
    const rows = db
      .select({ sv: tables.docSnapshots.sv, upTo: tables.docSnapshots.upTo })
      .from(tables.docSnapshots)
      .all();
    expect(rows.map((row) => ({ sv: Array.from(row.sv), upTo: row.upTo }))).toEqual([
      { sv: [9, 8], upTo: 1 },
    ]);
  });
});
