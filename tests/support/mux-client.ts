/**
 * A small client of the multiplexed protocol (`caucus.mux.v1`) for tests: `ws` plus the schema's
 * codec and y-protocols, nothing from @caucus/client. It records every frame, keeps a Y.Doc (and an
 * Awareness) per subscribed document, answers the server's sync step 1, applies what it receives
 * and sends local edits.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
  MESSAGE_TYPES,
  MUX_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  decodeMuxServer,
  encodeMuxClient,
  type MuxClientMessage,
  type MuxServerMessage,
} from '@caucus/schema';

type Waiter = { match: (m: MuxServerMessage) => boolean; resolve: (m: MuxServerMessage) => void };

export interface MuxDoc {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  /** Resolves when the first sync step 2 of this subscription arrived. */
  synced: Promise<void>;
  /** Reasons of the `PermissionDenied` messages received for this document. */
  denied: string[];
}

export type TokenVia = 'query' | 'bearer' | 'subprotocol';

const REMOTE = Symbol('mux-client.remote');

export class MuxClient {
  readonly frames: MuxServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly docs = new Map<string, MuxDoc>();
  private waiters: Waiter[] = [];
  private syncedResolvers = new Map<string, () => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data: Buffer) => this.onFrame(new Uint8Array(data)));
  }

  /** Opens `base` (`ws://host:port/sync`) with the token passed `via` one of the three ways. */
  static open(
    base: string,
    token: string,
    via: TokenVia = 'bearer',
    protocols = [MUX_SUBPROTOCOL],
  ): Promise<MuxClient> {
    const url = via === 'query' ? `${base}?token=${encodeURIComponent(token)}` : base;
    const offered = via === 'subprotocol' ? [...protocols, TOKEN_SUBPROTOCOL_PREFIX + token] : protocols;
    const headers: Record<string, string> = via === 'bearer' ? { authorization: `Bearer ${token}` } : {};
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, offered, { headers, perMessageDeflate: false });
      const client = new MuxClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  /** The next frame (from now on) that matches. */
  next(match: (m: MuxServerMessage) => boolean): Promise<MuxServerMessage> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The next `closed` for `doc`. */
  nextClosed(doc: string): Promise<{ code: number; reason: string }> {
    return this.next((m) => m.type === 'closed' && m.doc === doc) as Promise<
      Extract<MuxServerMessage, { type: 'closed' }>
    >;
  }

  send(message: MuxClientMessage): void {
    this.ws.send(encodeMuxClient(message));
  }

  sendRaw(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  /** Subscribes to `names` in one frame, each with the state vector of its local Y.Doc. */
  subscribe(names: readonly string[], options: { acks?: boolean } = {}): MuxDoc[] {
    const entries = names.map((name) => this.track(name));
    this.send({
      type: 'subscribe',
      docs: names.map((doc, i) => ({
        doc,
        acks: options.acks ?? false,
        stateVector: Y.encodeStateVector((entries[i] as MuxDoc).doc),
      })),
    });
    return entries;
  }

  unsubscribe(names: readonly string[]): void {
    this.send({ type: 'unsubscribe', docs: [...names] });
  }

  /** Sends one y-websocket message of `doc`. */
  sendDoc(doc: string, message: Uint8Array): void {
    this.send({ type: 'doc', doc, message });
  }

  close(): void {
    this.ws.close();
  }

  /** Closes the socket and stops every local document and awareness (their timers). */
  destroy(): void {
    this.ws.terminate();
    for (const { doc, awareness } of this.docs.values()) {
      awareness.destroy();
      doc.destroy();
    }
  }

  /** The local state of `name` (made on first use), wired to send its edits and awareness. */
  private track(name: string): MuxDoc {
    const existing = this.docs.get(name);
    if (existing) return existing;
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState(null);
    const synced = new Promise<void>((resolve) => this.syncedResolvers.set(name, resolve));
    const entry: MuxDoc = { doc, awareness, synced, denied: [] };
    this.docs.set(name, entry);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE || this.ws.readyState !== WebSocket.OPEN) return;
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, MESSAGE_TYPES.sync);
      syncProtocol.writeUpdate(e, update);
      this.sendDoc(name, encoding.toUint8Array(e));
    });
    awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      if (origin === REMOTE || this.ws.readyState !== WebSocket.OPEN) return;
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, MESSAGE_TYPES.awareness);
      const changed = [...added, ...updated, ...removed];
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, changed));
      this.sendDoc(name, encoding.toUint8Array(e));
    });
    return entry;
  }

  private onFrame(frame: Uint8Array): void {
    const message = decodeMuxServer(frame);
    this.frames.push(message);
    if (message.type === 'doc') this.onDocMessage(message.doc, message.message);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(message)) return true;
      w.resolve(message);
      return false;
    });
  }

  private onDocMessage(name: string, bytes: Uint8Array): void {
    const entry = this.docs.get(name);
    if (!entry) return;
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_TYPES.sync) {
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MESSAGE_TYPES.sync);
      const step = syncProtocol.readSyncMessage(decoder, reply, entry.doc, REMOTE);
      if (step === syncProtocol.messageYjsSyncStep1) this.sendDoc(name, encoding.toUint8Array(reply));
      if (step === syncProtocol.messageYjsSyncStep2) this.syncedResolvers.get(name)?.();
    } else if (type === MESSAGE_TYPES.awareness) {
      awarenessProtocol.applyAwarenessUpdate(entry.awareness, decoding.readVarUint8Array(decoder), REMOTE);
    } else if (type === MESSAGE_TYPES.auth) {
      decoding.readVarUint(decoder);
      entry.denied.push(decoding.readVarString(decoder));
    }
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/** Frames of one type, for assertions. */
export function framesOf<T extends MuxServerMessage['type']>(
  client: MuxClient,
  type: T,
): Array<Extract<MuxServerMessage, { type: T }>> {
  return client.frames.filter((f): f is Extract<MuxServerMessage, { type: T }> => f.type === type);
}
