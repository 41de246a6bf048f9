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
} from '@caucus/schema';
import { DEFAULT_LIMITS } from '../config.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import type { AppendEntry, DocStore } from '../storage/doc-store.js';
import { MemoryDocStore } from '../storage/memory-doc-store.js';
import { encodeSyncUpdate } from './codec.js';
import { SyncHub } from './hub.js';
import type { SyncSocket } from './socket.js';

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

function makeHub(store: DocStore) {
  return new SyncHub({
    store,
    limits: { ...DEFAULT_LIMITS },
    logger: createLogger('silent'),
    metrics: createMetrics(),
    idleUnloadMs: 60_000,
    compactEveryUpdates: 1000,
  });
}

function join(hub: SyncHub, userId: string) {
  const socket = new TestSocket();
  const conn = hub.connect(socket, {
    userId,
    name: userId,
    docName: name,
    ref,
    access: 'write',
    acks: true,
    expiresAt: null,
  });
  return { socket, conn };
}

async function attached(hub: SyncHub) {
  await hub.open(name, ref);
  await new Promise((resolve) => setImmediate(resolve));
}

function edit(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('body').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('SyncHub write path', () => {
  it('broadcasts and acks an update only after storage has committed it', async () => {
    const store = new GatedStore(new MemoryDocStore());
    const hub = makeHub(store);
    const writer = join(hub, 'alice');
    const reader = join(hub, 'bob');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('hello')));
    await new Promise((resolve) => setImmediate(resolve));
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
    const hub = makeHub(store);
    const writer = join(hub, 'alice');
    const reader = join(hub, 'bob');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('pending')));
    const step1 = new Uint8Array([MESSAGE_TYPES.sync, SYNC_STEPS.step1, 1, 0]);
    reader.conn.receive(step1);
    const step2s = () =>
      reader.socket.sent.filter((f) => f[0] === MESSAGE_TYPES.sync && f[1] === SYNC_STEPS.step2);
    expect(step2s()).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
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
    const hub = makeHub(new MemoryDocStore());
    const alice = join(hub, 'alice');
    const carol = join(hub, 'carol');
    const reader = join(hub, 'bob');
    await attached(hub);
    alice.conn.receive(encodeSyncUpdate(edit('from alice')));
    carol.conn.receive(encodeSyncUpdate(edit('from carol')));
    alice.conn.receive(encodeSyncUpdate(edit('again alice')));
    await new Promise((resolve) => setImmediate(resolve));
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
    const hub = makeHub(store);
    const writer = join(hub, 'alice');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('last words')));
    // Same turn: the batch has not been flushed yet.
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
    const hub = makeHub(failing);
    const writer = join(hub, 'alice');
    const reader = join(hub, 'bob');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('lost?')));
    await new Promise((resolve) => setImmediate(resolve));
    await hub.flush();
    expect(reader.socket.updates()).toHaveLength(0);
    expect(writer.socket.closedWith?.code).toBe(CLOSE_CODES.internalError);
    expect(reader.socket.closedWith?.code).toBe(CLOSE_CODES.internalError);
    expect(hub.stats.documents).toBe(0);
  });

  it('unloads an idle document and loads it again from storage', async () => {
    const store = new MemoryDocStore();
    const hub = new SyncHub({
      store,
      limits: { ...DEFAULT_LIMITS },
      logger: createLogger('silent'),
      metrics: createMetrics(),
      idleUnloadMs: 1,
      compactEveryUpdates: 1000,
    });
    const writer = join(hub, 'alice');
    await attached(hub);
    writer.conn.receive(encodeSyncUpdate(edit('kept')));
    await new Promise((resolve) => setImmediate(resolve));
    await hub.flush();
    const unloaded = new Promise<DocName>((resolve) => hub.onUnloaded(resolve));
    writer.conn.onSocketClosed();
    expect(await unloaded).toBe(name);
    expect(hub.stats.documents).toBe(0);
    const stored = await store.load(name);
    expect(stored.snapshot).not.toBeNull();
    const text = await hub.read(name, ref, (doc) => doc.getText('body').toJSON());
    expect(text).toBe('kept');
  });
});
