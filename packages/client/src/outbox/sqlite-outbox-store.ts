/**
 * Node: the outbox in SQLite (better-sqlite3, WAL) in the state dir, `outbox.db`, mode 0600 (the
 * intents can carry emails and decision texts). Processes sharing the state dir share the outbox;
 * sending one intent twice is harmless because the server is idempotent by intent id.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRecord } from './record.js';
import type { OutboxStore } from './store.js';

export const OUTBOX_DB_FILE = 'outbox.db';

/**
 * The outbox in `<stateDir>/outbox.db`, or — given an open database, such as the client's own
 * state dir store — in a table of that database, which then stays open when the outbox closes.
 */
export function sqliteOutboxStore(target: string | Database.Database): OutboxStore {
  let db: Database.Database;
  const owned = typeof target === 'string';
  if (typeof target === 'string') {
    mkdirSync(target, { recursive: true, mode: 0o700 });
    const path = join(target, OUTBOX_DB_FILE);
    db = new Database(path);
    chmodSync(path, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
  } else db = target;
  db.exec(`CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
  )`);
  const all = db.prepare('SELECT seq, id, record FROM outbox ORDER BY seq');
  const insert = db.prepare('INSERT INTO outbox (id, record) VALUES (?, ?)');
  const replace = db.prepare('UPDATE outbox SET record = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM outbox WHERE id = ?');
  return {
    load() {
      const rows = all.all() as Array<{ seq: number; id: string; record: string }>;
      return Promise.resolve(
        rows.map((r) => {
          let value: unknown;
          try {
            value = JSON.parse(r.record);
          } catch {
            value = null;
          }
          return { seq: r.seq, id: r.id, value };
        }),
      );
    },
    add(record) {
      const info = insert.run(record.intent.id, JSON.stringify(record));
      return Promise.resolve(Number(info.lastInsertRowid));
    },
    update(record) {
      replace.run(JSON.stringify(encodeRecord(record)), record.intent.id);
      return Promise.resolve();
    },
    delete(id) {
      remove.run(id);
      return Promise.resolve();
    },
    close() {
      if (owned && db.open) db.close();
      return Promise.resolve();
    },
  };
}
