import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import { tables, type DocName } from '@caucus/schema';
import type { Db } from './db.js';
import type { AppendEntry, DocStore, SnapshotEntry, StoredDoc } from './doc-store.js';

const { docUpdates, docSnapshots, docClients } = tables;

/**
 * Every statement is prepared once through drizzle (`.prepare()` + `sql.placeholder`). Drizzle's
 * prepared query is a thin wrapper over better-sqlite3's statement: per call it only maps the
 * placeholder values to positional parameters, so the hot path keeps drizzle's typed columns
 * (including the quoting of the `update` column, an SQL keyword) at no measurable cost, and we
 * never need `db.$client.prepare` with hand-written SQL.
 */
function prepareStatements(db: Db) {
  const doc = sql.placeholder('doc');
  return {
    insertUpdate: db
      .insert(docUpdates)
      .values({
        doc,
        seq: sql.placeholder('seq'),
        update: sql.placeholder('update'),
        actor: sql.placeholder('actor'),
        at: sql.placeholder('at'),
      })
      .prepare(),
    // A plain insert, not `on conflict do nothing`: a clientID that is already bound means the
    // caller's view of the document is stale, and silently keeping the old binding would
    // misattribute the update, so the whole batch fails instead.
    insertClient: db
      .insert(docClients)
      .values({
        doc,
        clientId: sql.placeholder('clientId'),
        userId: sql.placeholder('userId'),
        at: sql.placeholder('at'),
      })
      .prepare(),
    selectSnapshot: db
      .select({ state: docSnapshots.state, upTo: docSnapshots.upTo })
      .from(docSnapshots)
      .where(eq(docSnapshots.doc, doc))
      .prepare(),
    selectUpdates: db
      .select({ seq: docUpdates.seq, update: docUpdates.update })
      .from(docUpdates)
      .where(and(eq(docUpdates.doc, doc), gt(docUpdates.seq, sql.placeholder('after'))))
      .orderBy(asc(docUpdates.seq))
      .prepare(),
    selectClients: db
      .select({ clientId: docClients.clientId, userId: docClients.userId })
      .from(docClients)
      .where(eq(docClients.doc, doc))
      .prepare(),
    upsertSnapshot: db
      .insert(docSnapshots)
      .values({
        doc,
        state: sql.placeholder('state'),
        sv: sql.placeholder('sv'),
        upTo: sql.placeholder('upTo'),
        at: sql.placeholder('at'),
      })
      .onConflictDoUpdate({
        target: docSnapshots.doc,
        set: {
          state: sql`excluded.state`,
          sv: sql`excluded.sv`,
          upTo: sql`excluded.up_to`,
          at: sql`excluded.at`,
        },
      })
      .prepare(),
    deleteFolded: db
      .delete(docUpdates)
      .where(and(eq(docUpdates.doc, doc), lte(docUpdates.seq, sql.placeholder('upTo'))))
      .prepare(),
    listDocs: db
      .select({ doc: docSnapshots.doc })
      .from(docSnapshots)
      .union(db.select({ doc: docUpdates.doc }).from(docUpdates))
      .orderBy(asc(docSnapshots.doc))
      .prepare(),
  };
}

/**
 * Runs synchronous database work now, not in a later microtask, so that a write is committed by
 * the time the method returns (as `DocStore` promises for SQLite); a Promise executor runs
 * synchronously and turns a throw into a rejection, as a networked database would report it.
 */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

/** The real document store: one SQLite database opened by `openDb`. */
export class SqliteDocStore implements DocStore {
  readonly #db: Db;
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #appendTx: (entries: readonly AppendEntry[]) => void;
  readonly #snapshotTx: (entry: SnapshotEntry, at: number) => void;
  readonly #loadTx: (doc: DocName) => StoredDoc;

  constructor(db: Db) {
    this.#db = db;
    const s = (this.#statements = prepareStatements(db));
    const sqlite = db.$client;

    this.#appendTx = sqlite.transaction((entries: readonly AppendEntry[]) => {
      for (const { doc, seq, update, actor, at, newClients } of entries) {
        s.insertUpdate.run({ doc, seq, update, actor, at });
        for (const [clientId, userId] of newClients ?? []) s.insertClient.run({ doc, clientId, userId, at });
      }
    });

    const snapshotTx = sqlite.transaction((entry: SnapshotEntry, at: number) => {
      const existing = s.selectSnapshot.get({ doc: entry.doc });
      if (existing && existing.upTo > entry.upTo) return;
      s.upsertSnapshot.run({
        doc: entry.doc,
        state: entry.state,
        sv: entry.stateVector,
        upTo: entry.upTo,
        at,
      });
      s.deleteFolded.run({ doc: entry.doc, upTo: entry.upTo });
    });
    // IMMEDIATE takes the write lock before the read of the current upTo, so no other connection
    // can commit a newer snapshot between that check and the upsert.
    this.#snapshotTx = (entry, at) => snapshotTx.immediate(entry, at);

    // One read transaction, so the snapshot, the updates after it and the bindings all come from
    // the same committed state even if another connection compacts in between.
    this.#loadTx = sqlite.transaction((doc: DocName): StoredDoc => {
      const snapshot = s.selectSnapshot.get({ doc });
      const snapshotSeq = snapshot?.upTo ?? 0;
      const rows = s.selectUpdates.all({ doc, after: snapshotSeq });
      const clients = new Map<number, string>();
      for (const { clientId, userId } of s.selectClients.all({ doc })) clients.set(clientId, userId);
      return {
        snapshot: snapshot?.state ?? null,
        snapshotSeq,
        updates: rows.map((row) => row.update),
        lastSeq: Math.max(snapshotSeq, rows.at(-1)?.seq ?? 0),
        clients,
      };
    });
  }

  load(doc: DocName): Promise<StoredDoc> {
    return settle(() => this.#loadTx(doc));
  }

  append(entries: readonly AppendEntry[]): Promise<void> {
    return settle(() => {
      if (entries.length > 0) this.#appendTx(entries);
    });
  }

  writeSnapshot(entry: SnapshotEntry): Promise<void> {
    return settle(() => this.#snapshotTx(entry, Date.now()));
  }

  listDocs(): Promise<DocName[]> {
    return settle(() => this.#statements.listDocs.all().map((row) => row.doc as DocName));
  }

  close(): Promise<void> {
    if (this.#db.$client.open) this.#db.$client.close();
    return Promise.resolve();
  }
}
