/**
 * The live projection: thread documents into the read model, hooked onto the hub's commits.
 *
 * The commit listener only notes the thread and the time; the projection runs later, from a timer,
 * so typing never waits for it. Commits of one thread closer together than the debounce interval
 * are projected once (a burst of keystrokes is one projection), and a thread edited without pause
 * is still projected every `maxWaitMs`. A projection reads the committed document, compares its
 * stamp with the rows' and writes only what differs, in one transaction.
 */
import * as Y from 'yjs';
import { eq, sql } from 'drizzle-orm';
import { tables, type ThreadId } from '@caucus/schema';
import { Listeners } from '../listeners.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';
import type { CommittedEvent } from '../sync/hooks.js';
import { extractThread, sameBytes, stampOf } from './extract.js';
import type { ThreadSource } from './sources.js';
import { ProjectionWriter, type WriteOutcome } from './writer.js';

/** Commits of one thread closer together than this are projected together. */
export const PROJECTION_DEBOUNCE_MS = 100;
/** A thread edited without pause is still projected at least this often. */
export const PROJECTION_MAX_WAIT_MS = 200;
/** Commit times remembered per pending thread for the lag histogram; later ones are not measured. */
const MAX_TRACKED_COMMITS = 256;
/** Threads projected between two yields to the event loop while catching up. */
const CATCH_UP_CHUNK = 32;

export interface ProjectorOptions {
  db: Db;
  source: ThreadSource;
  logger: Logger;
  metrics?: Pick<Metrics, 'projectionLagSeconds' | 'projections'>;
  debounceMs?: number;
  maxWaitMs?: number;
}

export interface ProjectedEvent {
  threadId: ThreadId;
  /** `removed`: the thread row is gone, so were its projected rows. */
  outcome: WriteOutcome | 'removed' | 'failed';
  /** The log seq the projection was made from (0 when the thread has no document). */
  seq: number;
  /** Per commit this projection covered: milliseconds from its commit to the written rows. */
  lagsMs: number[];
}

interface Pending {
  firstAt: number;
  lastAt: number;
  /** `performance.now()` of each commit covered. */
  commits: number[];
  timer: NodeJS.Timeout | null;
}

export class Projector {
  readonly #db: Db;
  readonly #writer: ProjectionWriter;
  readonly #logger: Logger;
  readonly #metrics: ProjectorOptions['metrics'];
  readonly #debounceMs: number;
  readonly #maxWaitMs: number;
  readonly #pending = new Map<ThreadId, Pending>();
  /** The projection of each thread that is under way; the next one waits for it. */
  readonly #running = new Map<ThreadId, Promise<void>>();
  readonly #projected: Listeners<ProjectedEvent>;
  readonly #threadRow;
  #source: ThreadSource;

  constructor(options: ProjectorOptions) {
    this.#db = options.db;
    this.#writer = new ProjectionWriter(options.db);
    this.#source = options.source;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#debounceMs = options.debounceMs ?? PROJECTION_DEBOUNCE_MS;
    this.#maxWaitMs = Math.max(this.#debounceMs, options.maxWaitMs ?? PROJECTION_MAX_WAIT_MS);
    this.#projected = new Listeners((err) => this.#logger.error({ err }, 'a projection listener failed'));
    const { threads } = tables;
    this.#threadRow = options.db
      .select({ title: threads.title, intent: threads.intent })
      .from(threads)
      .where(eq(threads.id, sql.placeholder('id')))
      .prepare();
  }

  /** After each projection (also the ones that wrote nothing). */
  onProjected(listener: (event: ProjectedEvent) => void): () => void {
    return this.#projected.add(listener);
  }

  /** The hub's commit listener: notes thread commits, and does nothing else on the commit path. */
  readonly onCommitted = (event: CommittedEvent): void => {
    if (event.ref.kind === 'thread') this.schedule(event.ref.id, performance.now());
  };

  /**
   * Projects `threadId` once the debounce interval has passed without another commit. `commitAt`
   * (`performance.now()` of a commit) is what the lag is measured from; without one (a new thread
   * row, a repair) no lag is recorded.
   */
  schedule(threadId: ThreadId, commitAt?: number): void {
    const now = performance.now();
    const pending = this.#pending.get(threadId);
    if (pending) {
      pending.lastAt = now;
      if (commitAt !== undefined && pending.commits.length < MAX_TRACKED_COMMITS)
        pending.commits.push(commitAt);
      return;
    }
    const fresh: Pending = {
      firstAt: now,
      lastAt: now,
      commits: commitAt === undefined ? [] : [commitAt],
      timer: null,
    };
    this.#pending.set(threadId, fresh);
    this.#arm(threadId, fresh, this.#debounceMs);
  }

  /** Projects everything pending now; resolves when every projection under way has finished. */
  async flush(): Promise<void> {
    for (const [threadId, pending] of [...this.#pending]) this.#start(threadId, pending);
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  /** Reads documents from `source` from now on (the store, once the hub has shut down). */
  useSource(source: ThreadSource): void {
    this.#source = source;
  }

  /** Threads pending or being projected. */
  get backlog(): number {
    return this.#pending.size + this.#running.size;
  }

  /**
   * Re-projects every thread whose rows are missing or were made from another log position than
   * the stored one (the process stopped between a commit and its projection), and drops the rows
   * of threads that no longer exist. Reads from `source`; stops early once `cancelled()` is true;
   * resolves with how many it projected.
   */
  async catchUp(source: ThreadSource, cancelled: () => boolean = () => false): Promise<number> {
    const stale = staleThreads(this.#db);
    for (let i = 0; i < stale.length; i++) {
      if (cancelled()) return i;
      await this.#project(stale[i] as ThreadId, [], source);
      if (i % CATCH_UP_CHUNK === CATCH_UP_CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    return stale.length;
  }

  #arm(threadId: ThreadId, pending: Pending, delayMs: number): void {
    pending.timer = setTimeout(() => this.#due(threadId, pending), Math.max(0, delayMs));
  }

  #due(threadId: ThreadId, pending: Pending): void {
    pending.timer = null;
    const dueAt = Math.min(pending.lastAt + this.#debounceMs, pending.firstAt + this.#maxWaitMs);
    const wait = dueAt - performance.now();
    if (wait > 1) this.#arm(threadId, pending, wait);
    else this.#start(threadId, pending);
  }

  #start(threadId: ThreadId, pending: Pending): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = null;
    if (this.#pending.get(threadId) === pending) this.#pending.delete(threadId);
    // Commits arriving from here on start a new pending entry, projected after this one.
    const before = this.#running.get(threadId) ?? Promise.resolve();
    const job: Promise<void> = before
      .then(() => this.#project(threadId, pending.commits, this.#source))
      .finally(() => {
        if (this.#running.get(threadId) === job) this.#running.delete(threadId);
      });
    this.#running.set(threadId, job);
  }

  async #project(threadId: ThreadId, commits: readonly number[], source: ThreadSource): Promise<void> {
    let outcome: ProjectedEvent['outcome'] = 'failed';
    let seq = 0;
    try {
      // Read and write happen in one synchronous step, so nothing commits in between.
      outcome = await source.read(threadId, (doc, docSeq) => {
        seq = docSeq;
        return this.#projectDoc(threadId, doc, docSeq);
      });
    } catch (err) {
      this.#logger.error({ err, thread: threadId }, 'projecting a thread failed');
    }
    const done = performance.now();
    const lagsMs = commits.map((at) => done - at);
    if (this.#metrics) {
      this.#metrics.projections.inc({ outcome });
      for (const lag of lagsMs) this.#metrics.projectionLagSeconds.observe(lag / 1000);
    }
    this.#projected.emit({ threadId, outcome, seq, lagsMs });
  }

  #projectDoc(threadId: ThreadId, doc: Y.Doc, seq: number): ProjectedEvent['outcome'] {
    const row = this.#threadRow.get({ id: threadId });
    if (!row) return this.#writer.remove(threadId) ? 'removed' : 'unchanged';
    const stamp = stampOf(doc);
    const stored = this.#writer.stored(threadId);
    if (stored && stored.seq === seq && sameBytes(stored.stamp, stamp)) return 'unchanged';
    return this.#writer.write(extractThread(threadId, doc, seq, row, stamp));
  }
}

/**
 * Threads whose projection is missing or was made from another log position than the stored
 * document's last one, and projected threads that no longer exist.
 */
export function staleThreads(db: Db): ThreadId[] {
  const rows = db.$client
    .prepare(
      `SELECT t.id AS id FROM threads t
       LEFT JOIN projected_threads p ON p.thread_id = t.id
       WHERE p.seq IS NULL OR p.seq <> max(
         coalesce((SELECT max(u.seq) FROM doc_updates u WHERE u.doc = 'thread:' || t.id), 0),
         coalesce((SELECT s.up_to FROM doc_snapshots s WHERE s.doc = 'thread:' || t.id), 0))
       UNION
       SELECT p.thread_id AS id FROM projected_threads p
       WHERE NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = p.thread_id)
       ORDER BY id`,
    )
    .all() as Array<{ id: ThreadId }>;
  return rows.map((row) => row.id);
}
