/**
 * The read model as the server runs it: the live projection on the hub's commits (and on new
 * `threads` rows), the workspace catalogs kept current from it and from `threads` row changes, and
 * the start-up work — every catalog made to match the rows, threads whose projection fell behind
 * re-projected.
 */
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';
import type { DocStore } from '../storage/doc-store.js';
import type { SyncHub } from '../sync/hub.js';
import { CatalogPublisher } from './catalog.js';
import { Projector } from './projector.js';
import { hubSource, storeSource } from './sources.js';
import { watchThreadRows } from './thread-rows.js';

export interface ReadModelOptions {
  db: Db;
  hub: Pick<SyncHub, 'open' | 'read' | 'transact' | 'onCommitted'>;
  store: Pick<DocStore, 'load'>;
  logger: Logger;
  metrics?: Metrics;
  debounceMs?: number;
  maxWaitMs?: number;
}

export class ReadModel {
  readonly projector: Projector;
  readonly catalog: CatalogPublisher;
  /** Settles once the start-up work is done (failures are logged). */
  readonly ready: Promise<void>;
  readonly #logger: Logger;
  readonly #store: Pick<DocStore, 'load'>;
  readonly #detach: Array<() => void> = [];
  #stopping = false;

  constructor(options: ReadModelOptions) {
    const { db, hub, logger } = options;
    this.#logger = logger;
    this.#store = options.store;
    this.projector = new Projector({
      db,
      source: hubSource(hub),
      logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWaitMs: options.maxWaitMs } : {}),
    });
    this.catalog = new CatalogPublisher({ db, writer: hub, logger });
    this.#detach.push(
      hub.onCommitted(this.projector.onCommitted),
      this.projector.onProjected(({ threadId, outcome }) => {
        if (!this.#stopping && (outcome === 'written' || outcome === 'removed')) this.catalog.touch(threadId);
      }),
      watchThreadRows(db, ({ inserted, updated }) => {
        if (this.#stopping) return;
        // A new thread is projected even before its document is written (its row's title and
        // intent stand in), so search finds it at once; a status change only concerns the catalog.
        for (const id of inserted) this.projector.schedule(id);
        for (const id of [...inserted, ...updated]) this.catalog.touch(id);
      }),
    );
    this.ready = this.#start();
  }

  async #start(): Promise<void> {
    try {
      await this.catalog.rebuildAll();
      const started = performance.now();
      const projected = await this.projector.catchUp(storeSource(this.#store), () => this.#stopping);
      if (projected > 0) {
        this.#logger.info(
          { threads: projected, ms: Math.round(performance.now() - started) },
          'read model caught up with the update log',
        );
      }
    } catch (err) {
      this.#logger.error({ err }, 'starting the read model failed');
    }
  }

  /** Projects what is pending and publishes the catalogs it changed. */
  async flush(): Promise<void> {
    // `threads` row changes are reported on the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await this.projector.flush();
    await this.catalog.idle();
  }

  /**
   * Call after the hub has shut down: projects what its last commits left, reading from storage,
   * and stops listening. Catalogs are not written any more (the next start republishes them).
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.ready;
    await this.catalog.close();
    this.projector.useSource(storeSource(this.#store));
    await this.projector.flush();
    for (const detach of this.#detach.splice(0)) detach();
  }
}
