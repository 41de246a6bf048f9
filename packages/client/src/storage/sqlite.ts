/**
 * Node storage: a SQLite database in a state dir (`<stateDir>/client.db`, better-sqlite3, WAL),
 * readable only by its owner (dir 0700, files 0600). Every local edit is written when it happens,
 * so a script that exits — even without `close()` — still has everything when it starts again.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import type { RefusedChange } from '../docs/refused.js';
import { SERVER_ORIGIN } from '../origins.js';
import { ClientError } from '../errors.js';
import {
  COMPACT_EVERY_UPDATES,
  COMPACT_ON_LOAD_RECORDS,
  type ClientStorage,
  type DocBinding,
  type LoadedDoc,
  hasContent,
} from './types.js';

/** The database file inside a state dir. */
export const STATE_DB_FILE = 'client.db';
/** The schema version kept in `PRAGMA user_version`. */
const SCHEMA_VERSION = 1;
/** How long a write waits for another process holding the state dir's database (ms). */
const BUSY_TIMEOUT_MS = 5000;

/** `$CAUCUS_STATE_DIR`, else `~/.caucus`. */
export function defaultStateDir(): string {
  return process.env.CAUCUS_STATE_DIR || join(homedir(), '.caucus');
}

export interface SqliteStorage extends ClientStorage {
  readonly kind: 'sqlite';
  readonly stateDir: string;
  /** The open database, for other parts of the client that keep their state in the same dir. */
  readonly db: Database.Database;
}

function openPrivate(stateDir: string): Database.Database {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, STATE_DB_FILE);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) chmodSync(file + suffix, 0o600);
  if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS doc_updates (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS doc_updates_by_doc ON doc_updates (doc, seq);
      CREATE TABLE IF NOT EXISTS doc_acks (doc TEXT PRIMARY KEY, acked BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS refused_changes (
        id TEXT PRIMARY KEY, doc TEXT NOT NULL, at INTEGER NOT NULL, reason TEXT NOT NULL,
        summary TEXT NOT NULL, data BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }
  return db;
}

export function sqliteStorage(stateDir: string = defaultStateDir()): SqliteStorage {
  let db: Database.Database;
  try {
    db = openPrivate(stateDir);
  } catch (err) {
    throw new ClientError('storage-failed', `cannot open the state dir ${stateDir}: ${String(err)}`);
  }
  const q = statements(db);
  const later = new DeferredWrites(db, q);
  return {
    kind: 'sqlite',
    stateDir,
    db,
    bind: (name, doc) => new SqliteBinding(db, q, later, name, doc),
    refused: {
      list: () =>
        Promise.resolve(
          q.refusedList.all().map((row): RefusedChange => ({
            id: row.id,
            doc: row.doc,
            at: row.at,
            reason: JSON.parse(row.reason) as RefusedChange['reason'],
            summary: JSON.parse(row.summary) as string[],
            update: new Uint8Array(row.data),
          })),
        ),
      put: (c) => {
        q.refusedPut.run(c.id, c.doc, c.at, JSON.stringify(c.reason), JSON.stringify(c.summary), c.update);
        return Promise.resolve();
      },
      remove: (id) => {
        q.refusedDelete.run(id);
        return Promise.resolve();
      },
    },
    meta: {
      get: (key) => Promise.resolve(q.metaGet.get(key)?.value ?? null),
      set: (key, value) => {
        if (value === null) q.metaDelete.run(key);
        else q.metaPut.run(key, value);
        return Promise.resolve();
      },
    },
    docNames: () => Promise.resolve(q.docNames.all().map((r) => r.doc)),
    close: () => {
      later.flush();
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}

/**
 * Writes that may wait a moment: what the server sent (it has it) and acknowledged state vectors.
 * Gathered and written in one transaction per turn of the event loop, so syncing 500 documents is
 * one commit, not a thousand. Local edits never wait.
 */
class DeferredWrites {
  private readonly updates: Array<[string, Uint8Array]> = [];
  private readonly acks = new Map<string, Uint8Array>();
  private scheduled = false;
  private readonly write: () => void;

  constructor(
    private readonly db: Database.Database,
    q: Statements,
  ) {
    this.write = db.transaction(() => {
      for (const [doc, update] of this.updates) q.append.run(doc, update);
      for (const [doc, acked] of this.acks) q.ackPut.run(doc, acked);
    });
  }

  update(doc: string, update: Uint8Array): void {
    this.updates.push([doc, update]);
    this.schedule();
  }

  ack(doc: string, stateVector: Uint8Array): void {
    this.acks.set(doc, stateVector);
    this.schedule();
  }

  /** Drops what is queued for `doc` (it is being cleared). */
  forget(doc: string): void {
    this.acks.delete(doc);
    for (let i = this.updates.length - 1; i >= 0; i--)
      if (this.updates[i]?.[0] === doc) this.updates.splice(i, 1);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (!this.db.open || (this.updates.length === 0 && this.acks.size === 0)) return;
    this.write();
    this.updates.length = 0;
    this.acks.clear();
  }
}

type Statements = ReturnType<typeof statements>;

function statements(db: Database.Database) {
  return {
    load: db.prepare<[string], { seq: number; data: Buffer }>(
      'SELECT seq, data FROM doc_updates WHERE doc = ? ORDER BY seq',
    ),
    append: db.prepare<[string, Uint8Array]>('INSERT INTO doc_updates (doc, data) VALUES (?, ?)'),
    trim: db.prepare<[string, number]>('DELETE FROM doc_updates WHERE doc = ? AND seq <= ?'),
    clear: db.prepare<[string]>('DELETE FROM doc_updates WHERE doc = ?'),
    ackGet: db.prepare<[string], { acked: Buffer }>('SELECT acked FROM doc_acks WHERE doc = ?'),
    ackPut: db.prepare<[string, Uint8Array]>(
      'INSERT INTO doc_acks (doc, acked) VALUES (?, ?) ON CONFLICT (doc) DO UPDATE SET acked = excluded.acked',
    ),
    ackDelete: db.prepare<[string]>('DELETE FROM doc_acks WHERE doc = ?'),
    docNames: db.prepare<[], { doc: string }>('SELECT DISTINCT doc FROM doc_updates ORDER BY doc'),
    refusedList: db.prepare<
      [],
      { id: string; doc: string; at: number; reason: string; summary: string; data: Buffer }
    >('SELECT id, doc, at, reason, summary, data FROM refused_changes ORDER BY at, id'),
    refusedPut: db.prepare<[string, string, number, string, string, Uint8Array]>(
      'INSERT OR REPLACE INTO refused_changes (id, doc, at, reason, summary, data) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    refusedDelete: db.prepare<[string]>('DELETE FROM refused_changes WHERE id = ?'),
    metaGet: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    metaPut: db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    metaDelete: db.prepare<[string]>('DELETE FROM meta WHERE key = ?'),
  };
}

class SqliteBinding implements DocBinding {
  readonly loaded: Promise<LoadedDoc>;
  readonly origin: unknown = this;
  private closed = false;
  private sinceCompaction = 0;
  /** The highest stored seq that the document's state is known to contain. */
  private lastSeq = 0;
  private readonly compact: (state: Uint8Array, upTo: number) => void;
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this || this.closed || !this.db.open) return;
    if (origin === SERVER_ORIGIN) return this.later.update(this.name, update);
    const seq = Number(this.q.append.run(this.name, update).lastInsertRowid);
    this.lastSeq = Math.max(this.lastSeq, seq);
    if (++this.sinceCompaction >= COMPACT_EVERY_UPDATES) {
      this.sinceCompaction = 0;
      this.compact(Y.encodeStateAsUpdate(this.doc), this.lastSeq);
    }
  };

  constructor(
    private readonly db: Database.Database,
    private readonly q: Statements,
    private readonly later: DeferredWrites,
    private readonly name: string,
    private readonly doc: Y.Doc,
  ) {
    // Rows another process appends meanwhile have higher seqs and survive the trim.
    this.compact = db.transaction((state: Uint8Array, upTo: number) => {
      q.trim.run(name, upTo);
      this.lastSeq = Number(q.append.run(name, state).lastInsertRowid);
    });
    this.loaded = Promise.resolve(this.load());
  }

  private load(): LoadedDoc {
    this.later.flush();
    const rows = this.q.load.all(this.name);
    const before = hasContent(this.doc) ? Y.encodeStateAsUpdate(this.doc) : null;
    Y.transact(this.doc, () => rows.forEach((r) => Y.applyUpdate(this.doc, r.data)), this, false);
    this.lastSeq = rows.at(-1)?.seq ?? 0;
    if (rows.length > COMPACT_ON_LOAD_RECORDS) this.compact(Y.encodeStateAsUpdate(this.doc), this.lastSeq);
    else if (before) this.lastSeq = Number(this.q.append.run(this.name, before).lastInsertRowid);
    this.doc.on('update', this.onUpdate);
    const acked = this.q.ackGet.get(this.name)?.acked;
    return { acked: acked ? new Uint8Array(acked) : null, records: rows.length };
  }

  saveAcked(stateVector: Uint8Array): void {
    if (!this.closed && this.db.open) this.later.ack(this.name, stateVector);
  }

  clear(): Promise<void> {
    void this.close();
    this.later.forget(this.name);
    if (this.db.open)
      this.db.transaction(() => {
        this.q.clear.run(this.name);
        this.q.ackDelete.run(this.name);
      })();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.doc.off('update', this.onUpdate);
    return Promise.resolve();
  }
}
