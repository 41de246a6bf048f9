/**
 * Fast protocol tests without sockets or timers (not a test file itself; excluded from builds):
 *
 * - `ManualScheduler`: the hub's turns and timers run only when the test says so.
 * - `TestSocketPair`: one client ↔ one hub connection in memory. The client end is a Y.Doc that
 *   speaks y-websocket as the official client does (answers sync step 1, applies step 2 and
 *   updates, sends its own edits); nothing moves until `flush()`, which delivers both ways and
 *   runs the hub's turns until everything is quiet — like tldraw's TestSocketPair.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import {
  AUTH_PERMISSION_DENIED,
  MESSAGE_TYPES,
  SYNC_STEPS,
  decodeRefusal,
  docName,
  type DocRef,
  type Refusal,
  type UserId,
} from '@caucus/schema';
import { DEFAULT_LIMITS, type Limits } from '../config.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import type { DocStore } from '../storage/doc-store.js';
import { MemoryDocStore } from '../storage/memory-doc-store.js';
import { encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate } from './codec.js';
import type { Connection } from './connection.js';
import type { ConnectionInfo } from './connection-info.js';
import { SyncHub } from './hub.js';
import type { HubScheduler } from './scheduler.js';
import type { SyncSocket } from './socket.js';

/** Runs the hub's turns and timers only when the test says so. */
export class ManualScheduler implements HubScheduler {
  private turns: Array<() => void> = [];
  private timers: Array<{ at: number; fn: () => void }> = [];
  private clock = 0;
  nextTurn(fn: () => void) {
    this.turns.push(fn);
  }
  after(ms: number, fn: () => void) {
    const timer = { at: this.clock + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
  get pendingTurns() {
    return this.turns.length;
  }
  get pendingTimers() {
    return this.timers.length;
  }
  /** Runs the turns queued so far (those they queue wait for the next call). */
  runTurn() {
    for (const fn of this.turns.splice(0)) fn();
  }
  /** Moves the clock on by `ms`, running the timers that come due. */
  advance(ms: number) {
    this.clock += ms;
    const due = this.timers.filter((t) => t.at <= this.clock);
    this.timers = this.timers.filter((t) => t.at > this.clock);
    for (const { fn } of due) fn();
  }
}

/** A hub on an in-memory store with a manual scheduler. */
export function testHub(options: { limits?: Partial<Limits>; store?: DocStore } = {}) {
  const scheduler = new ManualScheduler();
  const hub = new SyncHub({
    store: options.store ?? new MemoryDocStore(),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    logger: createLogger('silent'),
    metrics: createMetrics(),
    idleUnloadMs: 60_000,
    compactEveryUpdates: 1000,
    scheduler,
  });
  return { hub, scheduler };
}

/** Lets every pending promise callback run (the stores answer with promises). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const CLIENT = Symbol('test-socket-pair');

export class TestSocketPair {
  readonly doc = new Y.Doc();
  readonly conn: Connection;
  /** Messages on the wire, not yet delivered. */
  readonly toServer: Uint8Array[] = [];
  readonly toClient: Uint8Array[] = [];
  /** Everything the server sent, in order, and what the client made of it. */
  readonly received: Uint8Array[] = [];
  readonly refusals: Refusal[] = [];
  readonly acks: Array<Map<number, number>> = [];
  readonly stepOnes: Uint8Array[] = [];
  accessChanges: Array<'read' | 'write'> = [];
  closed: { code: number; reason: string } | null = null;
  /** Whether the client end answers the server's sync step 1 (the official client does). */
  answersStepOne = true;

  constructor(
    private readonly hub: SyncHub,
    private readonly scheduler: ManualScheduler,
    info: Omit<Partial<ConnectionInfo>, 'userId'> & { userId: string },
    ref: DocRef = { kind: 'thread', id: 't1' as never },
  ) {
    const socket: SyncSocket = {
      send: (data, onWritten) => {
        if (this.closed) return;
        this.toClient.push(data);
        if (onWritten) queueMicrotask(onWritten);
      },
      close: (code, reason) => {
        this.closed ??= { code, reason };
      },
      accessChanged: (access) => this.accessChanges.push(access),
      bufferedAmount: 0,
    };
    this.conn = hub.connect(socket, {
      name: info.userId,
      docName: docName(ref),
      ref,
      access: 'write',
      acks: true,
      expiresAt: null,
      ...info,
      userId: info.userId as UserId,
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== CLIENT) this.toServer.push(encodeSyncUpdate(update));
    });
  }

  /** Starts the handshake as the official client does: its state vector. */
  handshake(): this {
    this.toServer.push(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    return this;
  }

  /** Delivers both ways and runs the hub until nothing moves any more. */
  async flush(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      await settle();
      const moved = this.toServer.length + this.toClient.length + this.scheduler.pendingTurns;
      if (moved === 0) return;
      for (const frame of this.toServer.splice(0)) this.conn.receive(frame);
      this.scheduler.runTurn();
      for (const frame of this.toClient.splice(0)) this.deliver(frame);
    }
    throw new Error('the pair never went quiet');
  }

  private deliver(frame: Uint8Array): void {
    this.received.push(frame);
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_TYPES.sync) {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === SYNC_STEPS.step1) {
        this.stepOnes.push(payload);
        if (this.answersStepOne)
          this.toServer.push(encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, payload)));
      } else Y.applyUpdate(this.doc, payload, CLIENT);
    } else if (type === MESSAGE_TYPES.auth && decoding.readVarUint(decoder) === AUTH_PERMISSION_DENIED) {
      const refusal = decodeRefusal(decoding.readVarString(decoder));
      if (refusal) this.refusals.push(refusal);
    } else if (type === MESSAGE_TYPES.durableAck) {
      this.acks.push(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
    }
  }

  /** What the hub has committed of the document, as text of its body. */
  async storedBody(): Promise<string> {
    return this.hub.read(this.conn.info.docName, this.conn.info.ref, (doc) => doc.getText('body').toJSON());
  }
}
