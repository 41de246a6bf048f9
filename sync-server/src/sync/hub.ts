/**
 * The sync hub: loads documents on demand and unloads them when idle, and runs the write path —
 * accepted updates are committed to storage in one transaction per event-loop turn, and only then
 * broadcast (the same bytes to every connection) and acknowledged.
 */
import * as Y from 'yjs';
import {
  CLOSE_CODES,
  SERVER_ACTOR,
  type Access,
  type DocName,
  type DocRef,
  type Refusal,
} from '@caucus/schema';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import { Listeners } from '../listeners.js';
import type { Metrics } from '../metrics.js';
import type { AppendEntry, DocStore } from '../storage/doc-store.js';
import { encodeAwarenessMessage, encodeAwarenessUpdate, encodeDurableAck } from './codec.js';
import { Connection, type ConnectionHost, type ConnectionInfo } from './connection.js';
import { relay } from './relay.js';
import { Room } from './room.js';
import type { SyncSocket } from './socket.js';

export interface SyncHubOptions {
  store: DocStore;
  limits: Limits;
  logger: Logger;
  metrics: Metrics;
  /** A document with no connections is unloaded after this long. */
  idleUnloadMs: number;
  /** Fold a document's log into a snapshot once it has this many updates past the last one. */
  compactEveryUpdates: number;
  now?: () => number;
}

interface PendingWrite {
  room: Room;
  origin: Connection | null;
  entry: AppendEntry;
}

interface Batch {
  writes: PendingWrite[];
  /** Run once every write of this batch (and of the batches before it) is committed. */
  callbacks: Array<() => void>;
}

const newBatch = (): Batch => ({ writes: [], callbacks: [] });

/** WebSocket close code 1000. */
const NORMAL_CLOSURE = 1000;

/** Updates of one document committed together, in seq order. */
export interface CommittedEvent {
  doc: DocName;
  ref: DocRef;
  entries: readonly AppendEntry[];
  /** The document as committed; read it synchronously in the listener, do not keep or change it. */
  ydoc: Y.Doc;
}

/** Who a socket authenticated as: what revocations match on. */
export type SessionIdentity = Pick<ConnectionInfo, 'userId' | 'sessionId' | 'apiTokenId'>;

/**
 * A socket that carries connections of its own (a multiplexed socket): it must be closed on
 * revocation and shutdown even while it holds no document.
 */
export interface HubSession {
  readonly info: SessionIdentity;
  close(code: number, reason: string): void;
}

export class SyncHub implements ConnectionHost {
  readonly limits: Limits;
  private readonly rooms = new Map<DocName, Room>();
  private readonly loading = new Map<DocName, Promise<Room>>();
  private readonly connections = new Set<Connection>();
  private readonly sessions = new Set<HubSession>();
  private batch = newBatch();
  private inflight: Batch | null = null;
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;
  private stopped = false;
  private readonly committed: Listeners<CommittedEvent>;
  private readonly unloaded: Listeners<DocName>;

  constructor(private readonly options: SyncHubOptions) {
    this.limits = options.limits;
    const report = (err: unknown) => options.logger.error({ err }, 'a sync hub listener failed');
    this.committed = new Listeners(report);
    this.unloaded = new Listeners(report);
  }

  /** After updates are committed (and relayed): where extensions such as the projection hook in. */
  onCommitted(listener: (event: CommittedEvent) => void): () => void {
    return this.committed.add(listener);
  }

  /** After an idle document is unloaded from memory. */
  onUnloaded(listener: (doc: DocName) => void): () => void {
    return this.unloaded.add(listener);
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  get stats(): { connections: number; documents: number } {
    return { connections: this.connections.size, documents: this.rooms.size };
  }

  /** Registers a multiplexed socket (see HubSession); a stopped hub closes it at once. */
  track(session: HubSession): void {
    if (this.stopped) queueMicrotask(() => session.close(CLOSE_CODES.goingAway, 'server-shutdown'));
    else this.sessions.add(session);
  }

  untrack(session: HubSession): void {
    this.sessions.delete(session);
  }

  /** Starts serving a client on `socket`; the document is loaded if it is not already. */
  connect(socket: SyncSocket, info: ConnectionInfo): Connection {
    const conn = new Connection(this, socket, info);
    if (this.stopped) {
      conn.close(CLOSE_CODES.goingAway, 'server-shutdown');
      return conn;
    }
    this.connections.add(conn);
    this.options.metrics.connections.inc();
    this.open(info.docName, info.ref).then(
      (room) => {
        if (conn.closed) return this.scheduleUnload(room);
        // The room's copies of the name and ref: one per document, not one per connection.
        conn.info.docName = room.name;
        conn.info.ref = room.ref;
        room.members.add(conn);
        if (room.unloadTimer) {
          clearTimeout(room.unloadTimer);
          room.unloadTimer = null;
        }
        conn.attach(room);
      },
      (err: unknown) => {
        this.options.logger.error({ err, doc: info.docName }, 'document failed to load');
        conn.close(CLOSE_CODES.internalError, 'document-unavailable');
      },
    );
    return conn;
  }

  /** The loaded document `name`, loading it first when needed. */
  open(name: DocName, ref: DocRef): Promise<Room> {
    const loaded = this.rooms.get(name);
    if (loaded) return Promise.resolve(loaded);
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.load(name, ref).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  private async load(name: DocName, ref: DocRef): Promise<Room> {
    const stored = await this.options.store.load(name);
    const room = new Room(name, ref, stored);
    this.rooms.set(name, room);
    this.options.metrics.documentsLoaded.set(this.rooms.size);
    if (stored.updates.length >= this.options.compactEveryUpdates) this.scheduleCompaction(room);
    return room;
  }

  /** Applies a server-side change to a document and resolves once it is committed and relayed. */
  async transact(name: DocName, ref: DocRef, change: (doc: Y.Doc) => void): Promise<void> {
    const room = await this.open(name, ref);
    const result = room.applyServerChange(change);
    if (result) this.enqueueWrite(room, null, result.update, result.seq, SERVER_ACTOR, result.newClients);
    await new Promise<void>((resolve) => this.afterCommit(resolve));
    if (room.members.size === 0) this.scheduleUnload(room);
  }

  /** Reads a document's current committed content (loading it when needed). */
  async read<T>(name: DocName, ref: DocRef, read: (doc: Y.Doc) => T): Promise<T> {
    const room = await this.open(name, ref);
    await new Promise<void>((resolve) => this.afterCommit(resolve));
    const value = read(room.doc);
    if (room.members.size === 0) this.scheduleUnload(room);
    return value;
  }

  enqueue(
    room: Room,
    origin: Connection,
    update: Uint8Array,
    seq: number,
    newClients: Array<[number, string]>,
  ): void {
    this.enqueueWrite(room, origin, update, seq, origin.info.userId, newClients);
  }

  private enqueueWrite(
    room: Room,
    origin: Connection | null,
    update: Uint8Array,
    seq: number,
    actor: string,
    newClients: Array<[number, string]>,
  ): void {
    const entry: AppendEntry = { doc: room.name, seq, update, actor, at: this.now() };
    if (newClients.length > 0) entry.newClients = newClients;
    this.batch.writes.push({ room, origin, entry });
    this.scheduleFlush();
  }

  afterCommit(fn: () => void): void {
    if (this.batch.writes.length > 0) this.batch.callbacks.push(fn);
    else if (this.inflight) this.inflight.callbacks.push(fn);
    else fn();
  }

  onRefused(conn: Connection, refusal: Refusal): void {
    this.options.metrics.refusedUpdates.inc({ reason: refusal.code });
    this.options.logger.info(
      { doc: conn.info.docName, user: conn.info.userId, code: refusal.code },
      'update refused',
    );
  }

  onError(conn: Connection, err: unknown): void {
    this.options.logger.error(
      { err, doc: conn.info.docName, user: conn.info.userId },
      'failed to serve a message',
    );
  }

  onClosed(conn: Connection, code: number | null, reason: string): void {
    if (!this.connections.delete(conn)) return;
    this.options.metrics.connections.dec();
    if (code !== null) {
      this.options.metrics.closedConnections.inc({ code: String(code) });
      // 1000: a multiplexed unsubscribe, which is nothing to log.
      if (code !== CLOSE_CODES.goingAway && code !== NORMAL_CLOSURE) {
        this.options.logger.info(
          { doc: conn.info.docName, user: conn.info.userId, code, reason },
          'connection closed by server',
        );
      }
    }
    const room = conn.room;
    if (!room || !room.members.delete(conn)) return;
    const removed = room.awareness.removeOwner(conn);
    if (removed.length > 0) room.broadcast(encodeAwarenessMessage(encodeAwarenessUpdate(removed)));
    if (room.members.size === 0) this.scheduleUnload(room);
  }

  /** Re-evaluates what `userId`'s open connections may do (after a role change or removal). */
  reauthorize(userId: string, accessFor: (ref: DocRef) => Access): void {
    for (const conn of [...this.connections]) {
      if (conn.info.userId === userId) conn.setAccess(accessFor(conn.info.ref));
    }
  }

  /** Closes every socket and connection matching `filter` (e.g. a revoked session). */
  closeWhere(filter: (info: SessionIdentity) => boolean, code: number, reason: string): void {
    for (const session of [...this.sessions]) if (filter(session.info)) session.close(code, reason);
    for (const conn of [...this.connections]) if (filter(conn.info)) conn.close(code, reason);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
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
    for (const [room, writes] of byRoom) {
      // One ack per connection and batch, carrying the state vector of the room as committed.
      let ack: Uint8Array | null = null;
      const acked = new Set<Connection>();
      for (const { origin } of writes) {
        if (!origin?.info.acks || origin.closed || origin.room !== room || acked.has(origin)) continue;
        acked.add(origin);
        origin.socket.send((ack ??= encodeDurableAck(room.stateVector())));
      }
    }
    for (const [room, writes] of byRoom) {
      if (room.lastSeq - room.snapshotSeq >= this.options.compactEveryUpdates) this.scheduleCompaction(room);
      this.committed.emit({
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
      for (const member of [...room.members])
        (member as Connection).close(CLOSE_CODES.internalError, 'storage-failure');
      if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
      room.destroy();
    }
    this.options.metrics.documentsLoaded.set(this.rooms.size);
  }

  private scheduleCompaction(room: Room): void {
    setImmediate(() => {
      if (room.uncommitted === 0 && this.rooms.get(room.name) === room) void this.compact(room);
    });
  }

  /** Folds the room's log into a snapshot; only when everything in memory is committed. */
  private async compact(room: Room): Promise<void> {
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

  private scheduleUnload(room: Room): void {
    if (room.unloadTimer || this.stopped) return;
    room.unloadTimer = setTimeout(() => {
      room.unloadTimer = null;
      void this.unload(room);
    }, this.options.idleUnloadMs);
    room.unloadTimer.unref();
  }

  private async unload(room: Room): Promise<void> {
    if (room.members.size > 0 || this.rooms.get(room.name) !== room) return;
    if (room.uncommitted > 0) {
      this.afterCommit(() => void this.unload(room));
      return;
    }
    // Out of the map first: a connection arriving now loads a fresh copy from storage, which
    // already holds every committed update.
    this.rooms.delete(room.name);
    this.options.metrics.documentsLoaded.set(this.rooms.size);
    await this.compact(room);
    room.destroy();
    this.unloaded.emit(room.name);
  }

  /** Commits what is queued, closes every connection with 1001 and unloads every document. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.flush();
    for (const conn of [...this.connections]) conn.close(CLOSE_CODES.goingAway, 'server-shutdown');
    for (const session of [...this.sessions]) session.close(CLOSE_CODES.goingAway, 'server-shutdown');
    for (const room of [...this.rooms.values()]) {
      await this.compact(room);
      room.destroy();
    }
    this.rooms.clear();
    this.options.metrics.documentsLoaded.set(0);
  }
}
