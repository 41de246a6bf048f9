import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import {
  CLOSE_CODES,
  MESSAGE_TYPES,
  SYNC_STEPS,
  docName,
  parseDocName,
  type DocName,
  type DocRef,
  type UserId,
} from '@caucus/schema';
import { DEFAULT_LIMITS } from '../config.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import type { AppendEntry, DocStore } from '../storage/doc-store.js';
import { MemoryDocStore } from '../storage/memory-doc-store.js';
import { encodeSyncUpdate } from './codec.js';
import type { LoadedEvent } from './hooks.js';
import { SyncHub } from './hub.js';
import type { SyncSocket } from './socket.js';
import { ManualScheduler } from './test-kit.js';

/** An in-memory socket that records what the server sends. */
class TestSocket implements SyncSocket {
  sent: Uint8Array[] = [];
  closedWith: { code: number; reason: string } | null = null;
  accessChanges: string[] = [];
  bufferedAmount = 0;
  send(data: Uint8Array, onWritten?: () => void) {
    this.sent.push(data);
    if (onWritten) queueMicrotask(onWritten);
  }
  accessChanged(access: 'read' | 'write') {
    this.accessChanges.push(access);
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason };
  }
  updates(): Uint8Array[] {
    return this.sent.filter((f) => f[0] === MESSAGE_TYPES.sync && f[1] === SYNC_STEPS.update);
  }
}

/** A store whose appends wait until the test lets them through. */
class GatedStore implements DocStore {
  private gates: Array<() => void> = [];
  constructor(private readonly inner: DocStore) {}
  load(doc: DocName) {
    return this.inner.load(doc);
  }
  async append(entries: readonly AppendEntry[]) {
    await new Promise<void>((resolve) => this.gates.push(resolve));
    await this.inner.append(entries);
  }
  release() {
    for (const open of this.gates.splice(0)) open();
  }
  get waiting() {
    return this.gates.length;
  }
  writeSnapshot(entry: Parameters<DocStore['writeSnapshot']>[0]) {
    return this.inner.writeSnapshot(entry);
  }
  listDocs() {
    return this.inner.listDocs();
  }
  close() {
    return this.inner.close();
  }
}

const ref = parseDocName('thread:t1') as DocRef;
const name = docName(ref);

function makeHub(store: DocStore, scheduler = new ManualScheduler(), compactEveryUpdates = 1000) {
  const hub = new SyncHub({
    store,
    limits: { ...DEFAULT_LIMITS },
    logger: createLogger('silent'),
    metrics: createMetrics(),
    idleUnloadMs: 60_000,
    compactEveryUpdates,
    scheduler,
  });
  return { hub, scheduler };
}

function join(hub: SyncHub, userId: string) {
  const socket = new TestSocket();
  const conn = hub.connect(socket, {
    userId: userId as UserId,
    name: userId,
    docName: name,
    ref,
    access: 'write',
    acks: true,
    expiresAt: null,
  });
  return { socket, conn };
}

/** Waits for the document to load: the connections made before this are attached to it first. */
async function attached(hub: SyncHub) {
  await hub.open(name, ref);
}

function edit(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('body').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('SyncHub write path', () => {
  it('broadcasts and acks an update only after storage has committed it', async () => {
    const store = new GatedStore(new MemoryDocStore());
    const { hub, scheduler } = makeHub(store);
    const writer = join(hub, 'alice');
    const reader = join(hub, 'bob');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('hello')));
    // Committed on the next turn, not in the one that received it.
    expect(store.waiting).toBe(0);
    scheduler.runTurn();
    expect(store.waiting).toBe(1);
    expect(reader.socket.updates()).toHaveLength(0);
    expect(writer.socket.sent.some((f) => f[0] === MESSAGE_TYPES.durableAck)).toBe(false);
    store.release();
    await hub.flush();
    expect(reader.socket.updates()).toHaveLength(1);
    expect(writer.socket.sent.some((f) => f[0] === MESSAGE_TYPES.durableAck)).toBe(true);
    expect((await store.load(name)).updates).toHaveLength(1);
  });

  it('answers sync step 1 only with committed state', async () => {
    const store = new GatedStore(new MemoryDocStore());
    const { hub, scheduler } = makeHub(store);
    const writer = join(hub, 'alice');
    const reader = join(hub, 'bob');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('pending')));
    const step1 = new Uint8Array([MESSAGE_TYPES.sync, SYNC_STEPS.step1, 1, 0]);
    reader.conn.receive(step1);
    const step2s = () =>
      reader.socket.sent.filter((f) => f[0] === MESSAGE_TYPES.sync && f[1] === SYNC_STEPS.step2);
    expect(step2s()).toHaveLength(0);
    scheduler.runTurn();
    expect(step2s()).toHaveLength(0);
    store.release();
    await hub.flush();
    const reply = step2s()[0];
    expect(reply).toBeDefined();
    const decoder = decoding.createDecoder(reply as Uint8Array);
    decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
    expect(doc.getText('body').toJSON()).toBe('pending');
  });

  it('relays the updates of one batch as one merged message, never echoing a writer its own', async () => {
    const { hub, scheduler } = makeHub(new MemoryDocStore());
    const alice = join(hub, 'alice');
    const carol = join(hub, 'carol');
    const reader = join(hub, 'bob');
    await attached(hub);
    alice.conn.receive(encodeSyncUpdate(edit('from alice')));
    carol.conn.receive(encodeSyncUpdate(edit('from carol')));
    alice.conn.receive(encodeSyncUpdate(edit('again alice')));
    // One turn: one batch.
    expect(scheduler.pendingTurns).toBe(1);
    scheduler.runTurn();
    await hub.flush();
    const texts = (socket: TestSocket) => {
      const doc = new Y.Doc();
      for (const frame of socket.updates()) {
        const decoder = decoding.createDecoder(frame);
        decoding.readVarUint(decoder);
        decoding.readVarUint(decoder);
        Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
      }
      return doc.getText('body').toJSON();
    };
    expect(reader.socket.updates()).toHaveLength(1);
    expect(texts(reader.socket)).toHaveLength(
      'from alice'.length + 'from carol'.length + 'again alice'.length,
    );
    expect(carol.socket.updates()).toHaveLength(1);
    expect([...texts(carol.socket)].sort().join('')).toBe([...'from aliceagain alice'].sort().join(''));
    expect(texts(alice.socket)).toBe('from carol');
    const acks = (socket: TestSocket) => socket.sent.filter((f) => f[0] === MESSAGE_TYPES.durableAck);
    expect(acks(alice.socket)).toHaveLength(1);
    expect(acks(carol.socket)).toHaveLength(1);
  });

  it('commits what is queued on shutdown, then closes connections with 1001', async () => {
    const store = new MemoryDocStore();
    const { hub, scheduler } = makeHub(store);
    const writer = join(hub, 'alice');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('last words')));
    // The turn that would flush the batch has not run.
    expect(scheduler.pendingTurns).toBe(1);
    await hub.shutdown();
    expect(writer.socket.closedWith?.code).toBe(CLOSE_CODES.goingAway);
    const stored = await store.load(name);
    const doc = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
    expect(doc.getText('body').toJSON()).toBe('last words');
  });

  it('drops a document and disconnects its clients when a commit fails, so nothing unstored is relayed', async () => {
    const inner = new MemoryDocStore();
    const failing: DocStore = {
      load: (d) => inner.load(d),
      append: () => Promise.reject(new Error('disk full')),
      writeSnapshot: (e) => inner.writeSnapshot(e),
      listDocs: () => inner.listDocs(),
      close: () => inner.close(),
    };
    const { hub, scheduler } = makeHub(failing);
    const writer = join(hub, 'alice');
    const reader = join(hub, 'bob');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('lost?')));
    scheduler.runTurn();
    await hub.flush();
    expect(reader.socket.updates()).toHaveLength(0);
    expect(writer.socket.closedWith?.code).toBe(CLOSE_CODES.internalError);
    expect(reader.socket.closedWith?.code).toBe(CLOSE_CODES.internalError);
    expect(hub.stats.documents).toBe(0);
  });

  it('unloads a document idle for idleUnloadMs and loads it again from storage', async () => {
    const store = new MemoryDocStore();
    const { hub, scheduler } = makeHub(store);
    const writer = join(hub, 'alice');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('kept')));
    scheduler.runTurn();
    await hub.flush();
    const unloaded = new Promise<DocName>((resolve) => hub.onUnloaded(resolve));
    expect(scheduler.pendingTimers).toBe(0);
    writer.conn.onSocketClosed();
    scheduler.advance(59_999);
    expect(hub.stats.documents).toBe(1);
    scheduler.advance(1);
    expect(await unloaded).toBe(name);
    expect(hub.stats.documents).toBe(0);
    const stored = await store.load(name);
    expect(stored.snapshot).not.toBeNull();
    const text = await hub.read(name, ref, (doc) => doc.getText('body').toJSON());
    expect(text).toBe('kept');
  });

  it('keeps a document that a connection joins before its idle unload comes due', async () => {
    const { hub, scheduler } = makeHub(new MemoryDocStore());
    const first = join(hub, 'alice');
    await attached(hub);
    first.conn.onSocketClosed();
    expect(scheduler.pendingTimers).toBe(1);
    join(hub, 'bob');
    await attached(hub);
    expect(scheduler.pendingTimers).toBe(0);
    scheduler.advance(60_000);
    expect(hub.stats.documents).toBe(1);
  });

  it('compacts on a later turn once the log reaches compactEveryUpdates', async () => {
    const inner = new MemoryDocStore();
    let snapshotWritten!: () => void;
    const written = new Promise<void>((resolve) => (snapshotWritten = resolve));
    const store: DocStore = {
      load: (d) => inner.load(d),
      append: (e) => inner.append(e),
      writeSnapshot: async (e) => {
        await inner.writeSnapshot(e);
        snapshotWritten();
      },
      listDocs: () => inner.listDocs(),
      close: () => inner.close(),
    };
    const { hub, scheduler } = makeHub(store, new ManualScheduler(), 2);
    const writer = join(hub, 'alice');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('one')));
    writer.conn.receive(encodeSyncUpdate(edit('two')));
    scheduler.runTurn();
    await hub.flush();
    expect((await inner.load(name)).snapshot).toBeNull();
    expect(scheduler.pendingTurns).toBe(1);
    scheduler.runTurn();
    await written;
    const stored = await inner.load(name);
    expect(stored.snapshot).not.toBeNull();
    expect(stored.updates).toHaveLength(0);
  });
});

describe('SyncHub lifecycle hooks', () => {
  it('calls an extension on load, commit and unload, in that order, and detaches it', async () => {
    const { hub, scheduler } = makeHub(new MemoryDocStore());
    const seen: string[] = [];
    const loads: LoadedEvent[] = [];
    const detach = hub.use({
      onLoaded: (e) => {
        loads.push(e);
        seen.push('loaded');
      },
      onCommitted: (e) => seen.push(`committed ${e.entries.length}`),
      onUnloaded: (doc) => seen.push(`unloaded ${doc}`),
    });
    const writer = join(hub, 'alice');
    expect(seen).toEqual([]);
    await attached(hub);
    expect(loads).toEqual([{ doc: name, ref, lastSeq: 0 }]);
    writer.conn.receive(encodeSyncUpdate(edit('hi')));
    scheduler.runTurn();
    await hub.flush();
    const unloaded = new Promise<DocName>((resolve) => hub.onUnloaded(resolve));
    writer.conn.onSocketClosed();
    scheduler.advance(60_000);
    await unloaded;
    expect(seen).toEqual(['loaded', 'committed 1', `unloaded ${name}`]);
    detach();
    await hub.read(name, ref, () => null);
    expect(seen).toHaveLength(3);
  });

  it('attaches the extensions given in its options from the start', async () => {
    const loaded: DocName[] = [];
    const hub = new SyncHub({
      store: new MemoryDocStore(),
      limits: { ...DEFAULT_LIMITS },
      logger: createLogger('silent'),
      metrics: createMetrics(),
      idleUnloadMs: 60_000,
      compactEveryUpdates: 1000,
      scheduler: new ManualScheduler(),
      extensions: [{ onLoaded: (e) => loaded.push(e.doc) }],
    });
    await hub.read(name, ref, () => null);
    expect(loaded).toEqual([name]);
  });

  it('fires onLoaded before the first connection is served, once per load', async () => {
    const { hub } = makeHub(new MemoryDocStore());
    const sentAtLoad: number[] = [];
    const first = join(hub, 'alice');
    hub.onLoaded(() => sentAtLoad.push(first.socket.sent.length));
    join(hub, 'bob');
    await attached(hub);
    expect(first.socket.sent.length).toBeGreaterThan(0);
    expect(sentAtLoad).toEqual([0]);
  });
});
