/**
 * A raw y-websocket protocol client for tests that must send exact bytes or see every message.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPES, SYNC_STEPS } from '@caucus/schema';

type Waiter = {
  from: number;
  match: (type: number, frame: Uint8Array) => boolean;
  resolve: (frame: Uint8Array) => void;
};

export class RawClient {
  readonly messages: Uint8Array[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Waiter[] = [];

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data: Buffer) => {
      const frame = new Uint8Array(data);
      this.messages.push(frame);
      const type = decoding.readVarUint(decoding.createDecoder(frame));
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(type, frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new RawClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** The next message (after now) whose type matches. */
  next(match: (type: number, frame: Uint8Array) => boolean): Promise<Uint8Array> {
    return new Promise((resolve) => this.waiters.push({ from: this.messages.length, match, resolve }));
  }

  send(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  sendSync(step: number, payload: Uint8Array): void {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE_TYPES.sync);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, payload);
    this.send(encoding.toUint8Array(e));
  }

  sendUpdate(update: Uint8Array): void {
    this.sendSync(SYNC_STEPS.update, update);
  }

  sendAwareness(update: Uint8Array): void {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE_TYPES.awareness);
    encoding.writeVarUint8Array(e, update);
    this.send(encoding.toUint8Array(e));
  }

  /** Runs the sync handshake: asks for the server's state and applies it to `doc`. */
  async syncInto(doc: Y.Doc): Promise<void> {
    const step2 = this.next((type, frame) => type === MESSAGE_TYPES.sync && frame[1] === SYNC_STEPS.step2);
    this.sendSync(SYNC_STEPS.step1, Y.encodeStateVector(doc));
    const decoder = decoding.createDecoder(await step2);
    decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
  }

  close(): void {
    this.ws.close();
  }
}

/** clientID → parsed state of every entry of an awareness message (removals parse to null). */
export function decodeAwarenessStates(frame: Uint8Array): Map<number, unknown> {
  const outer = decoding.createDecoder(frame);
  decoding.readVarUint(outer);
  const update = decoding.createDecoder(decoding.readVarUint8Array(outer));
  const states = new Map<number, unknown>();
  const count = decoding.readVarUint(update);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(update);
    decoding.readVarUint(update);
    states.set(clientId, JSON.parse(decoding.readVarString(update)));
  }
  return states;
}
