/**
 * Rebuilds the whole read model from the update log (`caucus admin rebuild-projection`): every
 * thread's document is folded from its snapshot and log and projected with the same code as the
 * live projection, every row compared (so damaged rows are repaired), rows of threads that no
 * longer exist dropped, and the full-text indexes made again from their tables.
 *
 * The read model keeps serving meanwhile (rows are corrected in place, not dropped first), and it
 * is safe next to a running server: a thread the server projected from a later state is left as
 * it is. Workspace catalogs are documents, written by the server only; it makes them match the
 * rows again at its next start.
 */
import { asc } from 'drizzle-orm';
import { tables, threadDoc } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import type { DocStore } from '../storage/doc-store.js';
import { buildDoc } from '../storage/fold.js';
import { SqliteDocStore } from '../storage/sqlite-doc-store.js';
import { extractThread, type ThreadProjection } from './extract.js';
import { staleThreads } from './projector.js';
import { ensureSearchIndex, optimizeSearch, reindexSearch } from '../storage/search-schema.js';
import { ProjectionWriter } from './writer.js';

/** Threads projected per write transaction. */
const REBUILD_BATCH = 200;

export interface RebuildProgress {
  /** Threads done so far, of `total`. */
  done: number;
  total: number;
}

export interface RebuildOptions {
  onProgress?: (progress: RebuildProgress) => void;
  /** Where documents are read from; by default the update log of `db` itself. */
  store?: Pick<DocStore, 'load'>;
}

export interface RebuildReport {
  /** Threads projected. */
  threads: number;
  /** Of those, how many had rows that differed (and were corrected). */
  corrected: number;
  /** Threads whose rows were left because the running server had projected a later state. */
  skipped: number;
  /** Projected threads dropped because their thread no longer exists. */
  removed: number;
  durationMs: number;
}

export async function rebuildProjection(db: Db, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = performance.now();
  ensureSearchIndex(db);
  const store = options.store ?? new SqliteDocStore(db);
  const writer = new ProjectionWriter(db);
  const { threads } = tables;
  const rows = db
    .select({ id: threads.id, title: threads.title, intent: threads.intent })
    .from(threads)
    .orderBy(asc(threads.id))
    .all();
  const total = rows.length;
  const report: RebuildReport = { threads: 0, corrected: 0, skipped: 0, removed: 0, durationMs: 0 };

  const live = new Set<string>(rows.map((row) => row.id));
  const orphans = staleThreads(db).filter((id) => !live.has(id));
  db.$client.transaction(() => {
    for (const id of orphans) if (writer.remove(id)) report.removed++;
  })();

  options.onProgress?.({ done: 0, total });
  const writeBatch = db.$client.transaction((batch: ThreadProjection[]) => {
    for (const projection of batch) {
      const outcome = writer.write(projection, { force: true });
      if (outcome === 'written') report.corrected++;
      else if (outcome === 'stale') report.skipped++;
    }
  });
  for (let i = 0; i < total; i += REBUILD_BATCH) {
    const batch: ThreadProjection[] = [];
    for (const row of rows.slice(i, i + REBUILD_BATCH)) {
      const stored = await store.load(threadDoc(row.id));
      const doc = buildDoc(stored);
      try {
        batch.push(extractThread(row.id, doc, stored.lastSeq, row));
      } finally {
        doc.destroy();
      }
    }
    writeBatch(batch);
    report.threads += batch.length;
    options.onProgress?.({ done: report.threads, total });
    await new Promise((resolve) => setImmediate(resolve));
  }

  reindexSearch(db);
  optimizeSearch(db);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}
