/**
 * The sync connection's view of a WebSocket: open it with a token, send frames, hear frames and
 * the close. Browsers use the global WebSocket (the token rides in a subprotocol); Node uses `ws`
 * with `Authorization: Bearer` (node-transport.ts, in the `@caucus/client/node` entry).
 */
import { MUX_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '@caucus/schema';

export interface TransportEvents {
  open(): void;
  message(frame: Uint8Array): void;
  /** Called once, however the socket ended (also when it never opened: code 1006). */
  close(code: number, reason: string): void;
}

export interface Transport {
  send(frame: Uint8Array): void;
  /** Ends the socket at once; no event follows. */
  close(code: number, reason: string): void;
}

/** Opens a socket to `url` (ws: or wss:, path `/sync`) speaking `caucus.mux.v1` with `token`. */
export type TransportFactory = (url: string, token: string, events: TransportEvents) => Transport;

/** Close code the client uses for a frame from the server it cannot read. */
export const CLIENT_CLOSE_MALFORMED = 4400;

/** The part of the browser's WebSocket this client uses. */
interface BrowserSocket {
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
}
type BrowserSocketConstructor = new (url: string, protocols: string[]) => BrowserSocket;

/** The global WebSocket, token in the `caucus-token.<token>` subprotocol (kept out of URLs and logs). */
export function browserTransport(): TransportFactory {
  return (url, token, events) => {
    const WebSocketImpl = (globalThis as { WebSocket?: BrowserSocketConstructor }).WebSocket;
    let done = false;
    const finish = (code: number, reason: string) => {
      if (done) return;
      done = true;
      events.close(code, reason);
    };
    if (!WebSocketImpl) {
      queueMicrotask(() => finish(1006, 'no WebSocket in this environment'));
      return { send: () => undefined, close: () => void (done = true) };
    }
    let socket: BrowserSocket;
    try {
      socket = new WebSocketImpl(url, [MUX_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token]);
    } catch (err) {
      queueMicrotask(() => finish(1006, String(err)));
      return { send: () => undefined, close: () => void (done = true) };
    }
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => !done && events.open();
    socket.onmessage = ({ data }) => {
      if (done) return;
      if (data instanceof ArrayBuffer) events.message(new Uint8Array(data));
      else {
        socket.close(CLIENT_CLOSE_MALFORMED, 'text-frame');
        finish(CLIENT_CLOSE_MALFORMED, 'text frame from the server');
      }
    };
    socket.onclose = ({ code, reason }) => finish(code, reason);
    socket.onerror = () => undefined;
    return {
      send: (frame) => {
        if (!done) socket.send(frame);
      },
      close: (code, reason) => {
        done = true;
        // A page may only close with 1000 or 3000–4999; any other code (1006 when a dead link is
        // given up) throws InvalidAccessError and would leave the socket open.
        socket.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
      },
    };
  };
}

/** `http(s)://host[:port][/prefix]` → `ws(s)://host[:port][/prefix]/sync`. */
export function syncUrl(origin: string): string {
  const url = new URL(origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/sync`;
  url.search = '';
  url.hash = '';
  return url.toString();
}
