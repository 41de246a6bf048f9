/**
 * A WebSocket for the official y-websocket client whose frames, in both directions, wait in queues
 * that a test delivers at will: in order, out of order, twice, or not before a disconnect. It is a
 * proxy between one client and the real server, living in the client's process.
 */
import WebSocket from 'ws';

type Handler<E> = ((event: E) => void) | null;

export class ControlledSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  binaryType = 'arraybuffer';
  onopen: Handler<unknown> = null;
  onmessage: Handler<{ data: ArrayBuffer }> = null;
  onclose: Handler<{ code: number; reason: string }> = null;
  onerror: Handler<unknown> = null;
  /** Client → server frames not yet delivered. */
  readonly outbound: Uint8Array[] = [];
  /** Server → client frames not yet delivered. */
  readonly inbound: Uint8Array[] = [];
  private readonly ws: WebSocket;

  /** Every open socket, so a test can reach the one a provider is using. */
  static readonly all = new Set<ControlledSocket>();
  /** When true, frames are forwarded at once in both directions (queues are bypassed). */
  protected passthrough(): boolean {
    return false;
  }

  constructor(url: string, protocols?: string | string[]) {
    this.ws = new WebSocket(url, protocols);
    ControlledSocket.all.add(this);
    this.ws.on('open', () => this.onopen?.({}));
    this.ws.on('message', (data: Buffer) => {
      this.inbound.push(new Uint8Array(data));
      if (this.passthrough()) this.flush();
    });
    this.ws.on('close', (code, reason) => {
      ControlledSocket.all.delete(this);
      this.onclose?.({ code, reason: reason.toString() });
    });
    this.ws.on('error', (err) => this.onerror?.(err));
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(data: ArrayBuffer | Uint8Array): void {
    this.outbound.push(data instanceof Uint8Array ? data.slice() : new Uint8Array(data));
    if (this.passthrough()) this.flush();
  }

  close(): void {
    ControlledSocket.all.delete(this);
    this.ws.close();
  }

  /** Delivers the frame at `index` of a queue (0 = oldest), removing it unless `keep` (a duplicate). */
  deliver(direction: 'out' | 'in', index = 0, keep = false): boolean {
    const queue = direction === 'out' ? this.outbound : this.inbound;
    const frame = queue[index];
    if (frame === undefined || this.ws.readyState !== WebSocket.OPEN) return false;
    if (!keep) queue.splice(index, 1);
    if (direction === 'out') this.ws.send(frame);
    else
      this.onmessage?.({
        data: frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) as ArrayBuffer,
      });
    return true;
  }

  /** Delivers everything queued, in order. */
  flush(): void {
    while (this.deliver('out'));
    while (this.deliver('in'));
  }
}
