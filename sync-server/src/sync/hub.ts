/**
 * The sync hub: the one object the rest of the server talks to about live documents. It wires
 * together, and hands each call to, the pieces that hold one concept each:
 *
 * - doc-registry.ts: loading documents on demand and unloading them when idle;
 * - commit-pipeline.ts: the write path — accepted updates are committed to storage in one
 *   transaction per event-loop turn, and only then relayed (the same bytes to every connection)
 *   and acknowledged;
 * - compactor.ts: folding update logs into snapshots;
 * - connection-registry.ts: the open connections and sockets, re-authorisation and revocation;
 * - scheduler.ts: when deferred work runs (injectable, so tests drive turns and timers);
 * - hooks.ts: the lifecycle hooks extensions attach to — `onLoaded` (a document was read from
 *   storage), `onCommitted` (updates were committed, relayed and acked: the change hook that the
 *   projection and governance use, and cluster fan-out will) and `onUnloaded` (an idle document
 *   left memory); `use` attaches several at once, like a Hocuspocus extension.
 *
 * What is left here is a connection's path through them: joining its room once the document is
 * loaded and leaving it (awareness removed, the document released) when it closes.
 */
import type * as Y from 'yjs';
import {
  CLOSE_CODES,
  SERVER_ACTOR,
  type Access,
  type DocName,
  type DocRef,
  type Refusal,
  type UserId,
} from '@caucus/schema';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DocStore } from '../storage/doc-store.js';
import { encodeAwarenessMessage, encodeAwarenessUpdate } from './codec.js';
import { CommitPipeline } from './commit-pipeline.js';
import { Compactor } from './compactor.js';
import type { ConnectionInfo, SessionIdentity } from './connection-info.js';
import { Connection, type ConnectionHost } from './connection.js';
import { ConnectionRegistry, type HubSession } from './connection-registry.js';
import { DocRegistry } from './doc-registry.js';
import { HubHooks, type CommittedEvent, type HubExtension, type LoadedEvent } from './hooks.js';
import type { Room } from './room.js';
import { realScheduler, type HubScheduler } from './scheduler.js';
import type { DocWriter } from './doc-writer.js';
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
  /**
   * When flushes, compactions, idle unloads and token expiries run; `setImmediate` and `setTimeout`
   * by default.
   */
  scheduler?: HubScheduler;
  /** Hooks attached from the start (see `use`). */
  extensions?: readonly HubExtension[];
}

export class SyncHub implements ConnectionHost, DocWriter {
  readonly limits: Limits;
  private readonly hooks: HubHooks;
  private readonly docs: DocRegistry;
  private readonly commits: CommitPipeline;
  private readonly compactor: Compactor;
  private readonly connections: ConnectionRegistry;

  constructor(private readonly options: SyncHubOptions) {
    this.limits = options.limits;
    const { store, logger, metrics } = options;
    const scheduler = options.scheduler ?? realScheduler;
    this.hooks = new HubHooks((err) => logger.error({ err }, 'a sync hub listener failed'));
    for (const extension of options.extensions ?? []) this.hooks.use(extension);
    this.compactor = new Compactor({
      store,
      logger,
      metrics,
      scheduler,
      everyUpdates: options.compactEveryUpdates,
      isLoaded: (room) => this.docs.isLoaded(room),
    });
    this.commits = new CommitPipeline({
      store,
      logger,
      metrics,
      scheduler,
      hooks: this.hooks,
      compactor: this.compactor,
      now: () => this.now(),
      drop: (room) => this.docs.drop(room),
    });
    this.docs = new DocRegistry({
      store,
      metrics,
      scheduler,
      hooks: this.hooks,
      compactor: this.compactor,
      idleUnloadMs: options.idleUnloadMs,
      afterCommit: (fn) => this.commits.afterCommit(fn),
    });
    this.connections = new ConnectionRegistry({ logger, metrics });
  }

  /** Attaches an extension's hooks; returns the function that detaches them. */
  use(extension: HubExtension): () => void {
    return this.hooks.use(extension);
  }

  /** After a document is loaded from storage, before anything is served from it. */
  onLoaded(listener: (event: LoadedEvent) => void): () => void {
    return this.hooks.loaded.add(listener);
  }

  /** After updates are committed (and relayed): where extensions such as the projection hook in. */
  onCommitted(listener: (event: CommittedEvent) => void): () => void {
    return this.hooks.committed.add(listener);
  }

  /** After an idle document is unloaded from memory. */
  onUnloaded(listener: (doc: DocName) => void): () => void {
    return this.hooks.unloaded.add(listener);
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Runs `fn` after `ms` on the hub's scheduler (token expiries); the result cancels it. */
  after(ms: number, fn: () => void): () => void {
    return (this.options.scheduler ?? realScheduler).after(ms, fn);
  }

  get stats(): { connections: number; documents: number } {
    return { connections: this.connections.size, documents: this.docs.size };
  }

  /** Registers a multiplexed socket (see HubSession); a stopped hub closes it at once. */
  track(session: HubSession): void {
    this.connections.track(session);
  }

  untrack(session: HubSession): void {
    this.connections.untrack(session);
  }

  /** Starts serving a client on `socket`; the document is loaded if it is not already. */
  connect(socket: SyncSocket, info: ConnectionInfo): Connection {
    const conn = new Connection(this, socket, info);
    if (!this.connections.add(conn)) return conn;
    this.docs.open(info.docName, info.ref).then(
      (room) => {
        if (conn.closed) return this.docs.release(room);
        // The room's copies of the name and ref: one per document, not one per connection.
        conn.info.docName = room.name;
        conn.info.ref = room.ref;
        room.members.add(conn);
        this.docs.hold(room);
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
    return this.docs.open(name, ref);
  }

  /** Applies a server-side change to a document and resolves once it is committed and relayed. */
  async transact(name: DocName, ref: DocRef, change: (doc: Y.Doc) => void): Promise<void> {
    const room = await this.docs.open(name, ref);
    const result = room.applyServerChange(change);
    if (result) this.commits.enqueue(room, null, result.update, result.seq, SERVER_ACTOR, result.newClients);
    await new Promise<void>((resolve) => this.commits.afterCommit(resolve));
    this.docs.release(room);
  }

  /** Reads a document's current committed content (loading it when needed). */
  async read<T>(name: DocName, ref: DocRef, read: (doc: Y.Doc) => T): Promise<T> {
    const room = await this.docs.open(name, ref);
    await new Promise<void>((resolve) => this.commits.afterCommit(resolve));
    const value = read(room.doc);
    this.docs.release(room);
    return value;
  }

  enqueue(
    room: Room,
    origin: Connection,
    update: Uint8Array,
    seq: number,
    newClients: Array<[number, string]>,
  ): void {
    this.commits.enqueue(room, origin, update, seq, origin.info.userId, newClients);
  }

  afterCommit(fn: () => void): void {
    this.commits.afterCommit(fn);
  }

  /** Commits everything queued; resolves when it is committed and relayed. */
  flush(): Promise<void> {
    return this.commits.flush();
  }

  onRefused(conn: Connection, refusal: Refusal): void {
    this.connections.refused(conn, refusal);
  }

  onError(conn: Connection, err: unknown): void {
    this.connections.failed(conn, err);
  }

  onClosed(conn: Connection, code: number | null, reason: string): void {
    if (!this.connections.remove(conn, code, reason)) return;
    const room = conn.room;
    if (!room || !room.members.delete(conn)) return;
    const removed = room.awareness.removeOwner(conn);
    if (removed.length > 0) room.broadcast(encodeAwarenessMessage(encodeAwarenessUpdate(removed)));
    this.docs.release(room);
  }

  /** Re-evaluates what `userId`'s open connections may do (after a role change or removal). */
  reauthorize(userId: UserId, accessFor: (ref: DocRef) => Access): void {
    this.connections.reauthorize(userId, accessFor);
  }

  /** Closes every socket and connection matching `filter` (e.g. a revoked session). */
  closeWhere(filter: (info: SessionIdentity) => boolean, code: number, reason: string): void {
    this.connections.closeWhere(filter, code, reason);
  }

  /** Commits what is queued, closes every connection with 1001 and unloads every document. */
  async shutdown(): Promise<void> {
    this.connections.stop();
    this.docs.stop();
    await this.commits.flush();
    this.connections.closeAll();
    await this.docs.unloadAll();
  }
}
