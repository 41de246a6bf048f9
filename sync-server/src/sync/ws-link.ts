/**
 * One upgraded WebSocket as the sync layer writes to it — the single place every outgoing message
 * passes, whichever protocol the socket speaks:
 *
 * - Messages are framed here and written to the TCP socket directly (the one `ws` owns; `ws`
 *   itself only writes control frames to it, synchronously, so the order holds): a broadcast hands
 *   the same bytes to every member, and they are framed once for all of them.
 * - One send budget per socket (`maxBufferedBytes`): a socket whose unwritten bytes exceed it is a
 *   slow consumer. It is terminated, not closed: a close frame would queue behind the backlog a
 *   client that does not read never drains, and the backlog would stay in memory until `ws`'s
 *   close timeout. Terminating frees it at once.
 * - The heartbeat's bookkeeping (see heartbeat.ts).
 *
 * The `ws` listeners are shared by every socket and find their link through `LINK`, so an idle
 * connection costs its link object, not a set of closures.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { WsTraffic } from '../metrics.js';
import type { Heartbeat } from './heartbeat.js';

/** What every link of one transport shares. */
export interface LinkContext {
  maxBufferedBytes: number;
  traffic: WsTraffic;
  heartbeat: Heartbeat<WsLink>;
  /** Open sockets per user (the per-user connection cap). */
  perUser: Map<string, number>;
  /** Called once per socket when it closes, for the socket gauges. */
  onLinkClosed(link: WsLink): void;
}

const OPEN = 1;

export abstract class WsLink {
  /** Heartbeat state: something arrived since the last sweep; a ping is unanswered. */
  seen = true;
  pinged = false;
  private overflowed = false;

  constructor(
    readonly ws: WebSocket,
    readonly socket: Duplex,
    readonly ctx: LinkContext,
    readonly userId: string,
  ) {}

  /** A binary frame from the client. */
  abstract receive(frame: Uint8Array): void;
  /** A text frame: part of no Caucus protocol. */
  abstract receiveText(): void;
  /** The socket closed (`code` only when it says something: 1009 frame too large). */
  abstract linkClosed(code: number | null): void;
  /** The send budget is exhausted: close whatever this socket carries with 1013. */
  protected abstract overflow(): void;

  /** Writes one message, or — past the send budget — ends the socket as a slow consumer. */
  write(message: Uint8Array, onWritten?: () => void): void {
    if (this.ws.readyState !== OPEN || this.overflowed) return;
    if (this.socket.writableLength > this.ctx.maxBufferedBytes) {
      this.overflowed = true;
      this.overflow();
      this.terminate();
      return;
    }
    this.ctx.traffic.messagesOut++;
    this.ctx.traffic.bytesOut += message.length;
    const frame = framed(message);
    if (!onWritten) this.socket.write(frame);
    else
      this.socket.write(frame, (err) => {
        if (!err) onWritten();
      });
  }

  /** Closes with a close frame (1013 terminates: see the top of this file). */
  close(code: number, reason: string): void {
    if (code === SLOW_CONSUMER) this.terminate();
    else this.ws.close(code, reason);
  }

  /** Drops the TCP connection at once, with whatever is still queued. */
  terminate(): void {
    this.ws.terminate();
  }

  ping(): void {
    if (this.ws.readyState === OPEN) this.ws.ping();
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** Starts delivering `ws`'s events to this link; also turns TCP keepalive on. */
  bind(): void {
    (this.ws as LinkedWebSocket)[LINK] = this;
    this.ws.on('message', onMessage);
    this.ws.on('close', onClose);
    this.ws.on('error', onError);
    this.ws.on('pong', onPong);
    if (this.socket instanceof Socket) this.socket.setKeepAlive(true, this.ctx.heartbeat.intervalMs);
    this.ctx.perUser.set(this.userId, (this.ctx.perUser.get(this.userId) ?? 0) + 1);
    this.ctx.heartbeat.add(this);
  }
}

const SLOW_CONSUMER = 1013;
const LINK = Symbol('caucus.ws-link');
type LinkedWebSocket = WebSocket & { [LINK]: WsLink };

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const link = (this as LinkedWebSocket)[LINK];
  link.seen = true;
  const bytes = toBytes(data);
  link.ctx.traffic.messagesIn++;
  link.ctx.traffic.bytesIn += bytes.length;
  if (!isBinary) link.receiveText();
  else link.receive(bytes);
}

function onPong(this: WebSocket): void {
  (this as LinkedWebSocket)[LINK].seen = true;
}

function onClose(this: WebSocket, code: number): void {
  const link = (this as LinkedWebSocket)[LINK];
  const { perUser, heartbeat } = link.ctx;
  heartbeat.delete(link);
  const left = (perUser.get(link.userId) ?? 1) - 1;
  if (left <= 0) perUser.delete(link.userId);
  else perUser.set(link.userId, left);
  link.ctx.onLinkClosed(link);
  link.linkClosed(code === 1009 ? 1009 : null);
}

function onError(this: WebSocket): void {
  this.terminate();
}

/**
 * The last messages framed, and their frames: a broadcast sends the same bytes many times in a
 * row. Two entries, so a room whose members mix both protocols (a message and its mux wrapping
 * alternate) still frames each once.
 */
const cache: Array<{ message: Uint8Array | null; frame: Buffer }> = [
  { message: null, frame: Buffer.alloc(0) },
  { message: null, frame: Buffer.alloc(0) },
];
let oldest = 0;

function framed(message: Uint8Array): Buffer {
  for (const entry of cache) if (entry.message === message) return entry.frame;
  const entry = cache[oldest] as (typeof cache)[number];
  oldest = 1 - oldest;
  entry.message = message;
  entry.frame = binaryFrame(message);
  return entry.frame;
}

/** A final, unmasked binary WebSocket frame (RFC 6455 §5.2) carrying `payload`. */
export function binaryFrame(payload: Uint8Array): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x82;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, header);
  return frame;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
