/**
 * The schema of the read model's full-text indexes (DESIGN §6): FTS5 over thread titles, founding intents
 * and bodies (`thread_fts`) and over messages (`message_fts`).
 *
 * Why this is code and not a migration: drizzle-kit generates migrations from the table
 * definitions and cannot express virtual tables, nor the triggers that keep an external-content
 * index in step with its table; a hand-edited migration would be lost the next time the single
 * pre-release migration is regenerated. So the indexes are made here, every time a database is
 * opened, and only when missing or defined differently (then dropped, made again and refilled from
 * their tables).
 *
 * Both are external-content indexes: the text lives once, in `projected_threads` and
 * `projected_messages`, and triggers on those tables add and remove index entries, so every code
 * path that writes the projection (live, rebuild, another process) keeps the index right.
 */
import type { Db } from './db.js';

/**
 * Porter stemming over unicode61 (so "budgets" finds "budget"; accents folded), with prefix
 * indexes for search-as-you-type on the last word.
 */
const FTS_OPTIONS = "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'";

interface SchemaObject {
  type: 'table' | 'trigger';
  name: string;
  sql: string;
}

const threadFts = 'thread_fts';
const messageFts = 'message_fts';

const THREAD_COLUMNS = 'title, intent, body';
const threadValues = (row: 'new' | 'old') => `${row}.key, ${row}.title, ${row}.intent, ${row}.body`;
const messageValues = (row: 'new' | 'old') => `${row}.key, ${row}.text`;

/** Every object, in creation order; `sql` is exactly what SQLite keeps in `sqlite_master`. */
const OBJECTS: readonly SchemaObject[] = [
  {
    type: 'table',
    name: threadFts,
    sql: `CREATE VIRTUAL TABLE ${threadFts} USING fts5(${THREAD_COLUMNS}, content='projected_threads', content_rowid='key', ${FTS_OPTIONS})`,
  },
  {
    type: 'table',
    name: messageFts,
    sql: `CREATE VIRTUAL TABLE ${messageFts} USING fts5(text, content='projected_messages', content_rowid='key', ${FTS_OPTIONS})`,
  },
  {
    type: 'trigger',
    name: 'projected_threads_fts_insert',
    sql: `CREATE TRIGGER projected_threads_fts_insert AFTER INSERT ON projected_threads BEGIN
  INSERT INTO ${threadFts}(rowid, ${THREAD_COLUMNS}) VALUES (${threadValues('new')});
END`,
  },
  {
    type: 'trigger',
    name: 'projected_threads_fts_delete',
    sql: `CREATE TRIGGER projected_threads_fts_delete AFTER DELETE ON projected_threads BEGIN
  INSERT INTO ${threadFts}(${threadFts}, rowid, ${THREAD_COLUMNS}) VALUES ('delete', ${threadValues('old')});
END`,
  },
  // Only when indexed text changed: a new message updates the thread row's counts, not its text.
  {
    type: 'trigger',
    name: 'projected_threads_fts_update',
    sql: `CREATE TRIGGER projected_threads_fts_update AFTER UPDATE ON projected_threads
WHEN old.title IS NOT new.title OR old.intent IS NOT new.intent OR old.body IS NOT new.body OR old.key IS NOT new.key BEGIN
  INSERT INTO ${threadFts}(${threadFts}, rowid, ${THREAD_COLUMNS}) VALUES ('delete', ${threadValues('old')});
  INSERT INTO ${threadFts}(rowid, ${THREAD_COLUMNS}) VALUES (${threadValues('new')});
END`,
  },
  {
    type: 'trigger',
    name: 'projected_messages_fts_insert',
    sql: `CREATE TRIGGER projected_messages_fts_insert AFTER INSERT ON projected_messages BEGIN
  INSERT INTO ${messageFts}(rowid, text) VALUES (${messageValues('new')});
END`,
  },
  {
    type: 'trigger',
    name: 'projected_messages_fts_delete',
    sql: `CREATE TRIGGER projected_messages_fts_delete AFTER DELETE ON projected_messages BEGIN
  INSERT INTO ${messageFts}(${messageFts}, rowid, text) VALUES ('delete', ${messageValues('old')});
END`,
  },
  {
    type: 'trigger',
    name: 'projected_messages_fts_update',
    sql: `CREATE TRIGGER projected_messages_fts_update AFTER UPDATE ON projected_messages
WHEN old.text IS NOT new.text OR old.key IS NOT new.key BEGIN
  INSERT INTO ${messageFts}(${messageFts}, rowid, text) VALUES ('delete', ${messageValues('old')});
  INSERT INTO ${messageFts}(rowid, text) VALUES (${messageValues('new')});
END`,
  },
];

/** Creates the FTS5 indexes and their triggers when missing or out of date; cheap when current. */
export function ensureSearchIndex(db: Db): void {
  const sqlite = db.$client;
  const current = new Map(
    (
      sqlite
        .prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
        .all() as Array<{ name: string; sql: string | null }>
    ).map((row) => [row.name, row.sql]),
  );
  if (OBJECTS.every((o) => current.get(o.name) === o.sql)) return;
  // IMMEDIATE: another process opening the same database at the same moment waits for us and
  // then finds everything current.
  sqlite
    .transaction(() => {
      const fresh = new Map(
        (
          sqlite
            .prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
            .all() as Array<{ name: string; sql: string | null }>
        ).map((row) => [row.name, row.sql]),
      );
      const refill = new Set<string>();
      for (const object of OBJECTS) {
        if (fresh.get(object.name) === object.sql) continue;
        if (fresh.has(object.name)) {
          sqlite.exec(`DROP ${object.type === 'table' ? 'TABLE' : 'TRIGGER'} ${object.name}`);
        }
        sqlite.exec(object.sql);
        if (object.type === 'table') refill.add(object.name);
      }
      // A new or redefined index starts empty: fill it from its content table.
      for (const name of refill) sqlite.exec(`INSERT INTO ${name}(${name}) VALUES ('rebuild')`);
    })
    .immediate();
}

/** Rebuilds both indexes from their tables (after bulk writes, or to repair them). */
export function reindexSearch(db: Db): void {
  for (const name of [threadFts, messageFts])
    db.$client.exec(`INSERT INTO ${name}(${name}) VALUES ('rebuild')`);
}

/** Merges each index's segments into one; worth it after a rebuild wrote every row. */
export function optimizeSearch(db: Db): void {
  for (const name of [threadFts, messageFts])
    db.$client.exec(`INSERT INTO ${name}(${name}) VALUES ('optimize')`);
}
