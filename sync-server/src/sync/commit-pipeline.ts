/**
 * The write path after an update is accepted: updates queued during one event-loop turn are
 * committed to storage in one transaction; only then are they relayed (relay.ts), the callbacks
 * waiting for that commit run (`afterCommit`: sync step 2 answers, server-side changes), the
 * writers that asked get one durable ack each, compaction is considered and the `committed` hook
 * fires. A batch storage refuses drops its documents and disconnects their clients.
 */
import { CLOSE_CODES } from '@caucus/schema';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { AppendEntry, DocStore } from '../storage/doc-store.js';
import { encodeDurableAck } from './codec.js';
import type { Compactor } from './compactor.js';
import type { HubHooks } from './hooks.js';
import { relay } from './relay.js';
import type { Room, RoomMember } from './room.js';
import type { HubScheduler } from './scheduler.js';

/** The member that sent an update: what its durable ack needs. */
export interface CommitOrigin extends RoomMember {
  readonly closed: boolean;
  /** The room it is attached to now (null before it is attached). */
  readonly room: Room | null;
  readonly info: { readonly acks: boolean };
}

export interface CommitPipelineOptions {
  store: Pick<DocStore, 'append'>;
  logger: Logger;
  metrics: Metrics;
  scheduler: HubScheduler;
  hooks: HubHooks;
  compactor: Compactor;
  now(): number;
  /** Forgets a document whose commit failed (the document registry's `drop`). */
  drop(room: Room): void;
}

interface PendingWrite {
  room: Room;
  /** Null for a server-side change. */
  origin: CommitOrigin | null;
  entry: AppendEntry;
}

interface Batch {
  writes: PendingWrite[];
  /** Run once every write of this batch (and of the batches before it) is committed. */
  callbacks: Array<() => void>;
}

const newBatch = (): Batch => ({ writes: [], callbacks: [] });

export class CommitPipeline {
  private batch = newBatch();
  private inflight: Batch | null = null;
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;

  constructor(private readonly options: CommitPipelineOptions) {}

  /** Queues an update applied to `room` in memory (with its reserved seq) for the next commit. */
  enqueue(
    room: Room,
    origin: CommitOrigin | null,
    update: Uint8Array,
    seq: number,
    actor: string,
    newClients: Array<[number, string]>,
  ): void {
    const entry: AppendEntry = { doc: room.name, seq, update, actor, at: this.options.now() };
    if (newClients.length > 0) entry.newClients = newClients;
    this.batch.writes.push({ room, origin, entry });
    this.scheduleFlush();
  }

  /** Runs `fn` once everything queued so far is committed (at once when nothing is). */
  afterCommit(fn: () => void): void {
    if (this.batch.writes.length > 0) this.batch.callbacks.push(fn);
    else if (this.inflight) this.inflight.callbacks.push(fn);
    else fn();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    this.options.scheduler.nextTurn(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Commits everything queued; resolves when it is committed and relayed. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.batch.writes.length === 0) return Promise.resolve();
    const batch = this.batch;
    this.batch = newBatch();
    this.inflight = batch;
    this.flushing = this.commit(batch).finally(() => {
      this.flushing = null;
      this.inflight = null;
      if (this.batch.writes.length > 0) this.scheduleFlush();
    });
    return this.flushing;
  }

  private async commit(batch: Batch): Promise<void> {
    const { metrics, logger } = this.options;
    const stopTimer = metrics.commitSeconds.startTimer();
    try {
      await this.options.store.append(batch.writes.map((w) => w.entry));
    } catch (err) {
      stopTimer();
      logger.error({ err, updates: batch.writes.length }, 'commit failed; resetting the affected documents');
      this.failBatch(batch);
      for (const fn of batch.callbacks) fn();
      return;
    }
    stopTimer();
    metrics.updates.inc(batch.writes.length);
    const byRoom = new Map<Room, PendingWrite[]>();
    for (const write of batch.writes) {
      write.room.uncommitted--;
      const writes = byRoom.get(write.room);
      if (writes) writes.push(write);
      else byRoom.set(write.room, [write]);
    }
    for (const [room, writes] of byRoom) relay(room, writes);
    for (const fn of batch.callbacks) fn();
    for (const [room, writes] of byRoom) acknowledge(room, writes);
    for (const [room, writes] of byRoom) {
      this.options.compactor.scheduleIfDue(room, room.lastSeq - room.snapshotSeq);
      this.options.hooks.committed.emit({
        doc: room.name,
        ref: room.ref,
        entries: writes.map((w) => w.entry),
        ydoc: room.doc,
      });
    }
  }

  /**
   * Storage refused a batch: the documents in memory are now ahead of storage. They are dropped and
   * their clients disconnected; the clients still hold their changes and send them again on reconnect.
   */
  private failBatch(batch: Batch): void {
    for (const room of new Set(batch.writes.map((w) => w.room))) {
      for (const member of [...room.members]) member.close(CLOSE_CODES.internalError, 'storage-failure');
      this.options.drop(room);
    }
  }
}

/** One ack per connection and batch, carrying the state vector of the room as committed. */
function acknowledge(room: Room, writes: readonly PendingWrite[]): void {
  let ack: Uint8Array | null = null;
  const acked = new Set<CommitOrigin>();
  for (const { origin } of writes) {
    if (!origin?.info.acks || origin.closed || origin.room !== room || acked.has(origin)) continue;
    acked.add(origin);
    origin.socket.send((ack ??= encodeDurableAck(room.stateVector())));
  }
}
