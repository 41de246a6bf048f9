/**
 * The loaded documents: each is loaded from storage on first use (concurrent opens share one
 * load), held while it has connections, and unloaded — compacted, then dropped from memory — once
 * it has had none for `idleUnloadMs`. Emits the `loaded` and `unloaded` hooks (hooks.ts).
 */
import type { DocName, DocRef } from '@caucus/schema';
import type { Metrics } from '../metrics.js';
import type { DocStore } from '../storage/doc-store.js';
import type { Compactor } from './compactor.js';
import type { HubHooks } from './hooks.js';
import { Room } from './room.js';
import type { HubScheduler } from './scheduler.js';

export interface DocRegistryOptions {
  store: Pick<DocStore, 'load'>;
  metrics: Metrics;
  scheduler: HubScheduler;
  hooks: HubHooks;
  compactor: Compactor;
  /** A document with no connections is unloaded after this long. */
  idleUnloadMs: number;
  /** Runs `fn` once everything applied in memory so far is committed (the commit pipeline's). */
  afterCommit(fn: () => void): void;
}

export class DocRegistry {
  private readonly rooms = new Map<DocName, Room>();
  private readonly loading = new Map<DocName, Promise<Room>>();
  /** Pending idle unloads, by room: the function that cancels each. */
  private readonly unloadTimers = new Map<Room, () => void>();
  private stopped = false;

  constructor(private readonly options: DocRegistryOptions) {}

  get size(): number {
    return this.rooms.size;
  }

  /** Whether `room` is the loaded copy of its document. */
  isLoaded(room: Room): boolean {
    return this.rooms.get(room.name) === room;
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
    this.options.compactor.scheduleIfDue(room, stored.updates.length);
    this.options.hooks.loaded.emit({ doc: name, ref, lastSeq: room.lastSeq });
    return room;
  }

  /** A member joined `room`: it stays loaded. */
  hold(room: Room): void {
    const cancel = this.unloadTimers.get(room);
    if (!cancel) return;
    cancel();
    this.unloadTimers.delete(room);
  }

  /** Something that used `room` is done with it: unloaded after `idleUnloadMs` once it has no members. */
  release(room: Room): void {
    if (room.members.size > 0 || this.unloadTimers.has(room) || this.stopped) return;
    const cancel = this.options.scheduler.after(this.options.idleUnloadMs, () => {
      this.unloadTimers.delete(room);
      void this.unload(room);
    });
    this.unloadTimers.set(room, cancel);
  }

  private async unload(room: Room): Promise<void> {
    if (room.members.size > 0 || !this.isLoaded(room)) return;
    if (room.uncommitted > 0) {
      this.options.afterCommit(() => void this.unload(room));
      return;
    }
    // Out of the map first: a connection arriving now loads a fresh copy from storage, which
    // already holds every committed update.
    this.forget(room);
    await this.options.compactor.compact(room);
    room.destroy();
    this.options.hooks.unloaded.emit(room.name);
  }

  /** Drops `room` from memory without compacting it (storage refused its commit). */
  drop(room: Room): void {
    this.forget(room);
    room.destroy();
  }

  private forget(room: Room): void {
    this.hold(room);
    if (this.isLoaded(room)) this.rooms.delete(room.name);
    this.options.metrics.documentsLoaded.set(this.rooms.size);
  }

  /** No more idle unloads: the server is shutting down (see `unloadAll`). */
  stop(): void {
    this.stopped = true;
  }

  /** Compacts and drops every loaded document (at shutdown, once everything is committed). */
  async unloadAll(): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      this.hold(room);
      await this.options.compactor.compact(room);
      room.destroy();
    }
    this.rooms.clear();
    this.options.metrics.documentsLoaded.set(0);
  }
}
