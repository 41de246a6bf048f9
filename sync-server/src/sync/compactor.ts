/**
 * Compaction: folds a loaded document's update log into one snapshot in storage. It runs on a
 * later event-loop turn once the log has grown past the threshold (after a load or a commit), and
 * when a document is unloaded or the server shuts down; never while updates applied in memory are
 * still being committed, so a snapshot only ever holds committed state.
 */
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DocStore } from '../storage/doc-store.js';
import type { Room } from './room.js';
import type { HubScheduler } from './scheduler.js';

export interface CompactorOptions {
  store: Pick<DocStore, 'writeSnapshot'>;
  logger: Logger;
  metrics: Metrics;
  scheduler: HubScheduler;
  /** Fold a document's log once it has this many updates past the last snapshot. */
  everyUpdates: number;
  /** Whether `room` is still the loaded copy of its document (not unloaded or dropped meanwhile). */
  isLoaded(room: Room): boolean;
}

export class Compactor {
  constructor(private readonly options: CompactorOptions) {}

  /** Compacts `room` on a later turn when `logged` (its updates past the snapshot) reaches the threshold. */
  scheduleIfDue(room: Room, logged: number): void {
    if (logged < this.options.everyUpdates) return;
    this.options.scheduler.nextTurn(() => {
      if (room.uncommitted === 0 && this.options.isLoaded(room)) void this.compact(room);
    });
  }

  /** Folds the room's log into a snapshot; only when everything in memory is committed. */
  async compact(room: Room): Promise<void> {
    if (room.uncommitted > 0 || room.lastSeq === room.snapshotSeq) return;
    try {
      const snapshot = room.snapshot();
      await this.options.store.writeSnapshot(snapshot);
      room.snapshotSeq = snapshot.upTo;
      room.storedBytes = snapshot.state.length;
      this.options.metrics.compactions.inc();
    } catch (err) {
      this.options.logger.error({ err, doc: room.name }, 'compaction failed; the log is kept');
    }
  }
}
