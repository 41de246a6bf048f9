/**
 * The WebSocket edge of sync: authenticates an HTTP upgrade on `/sync/<docName>` (token, Origin,
 * document access) and hands the socket to the hub. It holds no sync logic.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  docName,
  parseDocName,
  type Access,
  type DocRef,
} from '@caucus/schema';
import { retryAfterValue } from '../http/rate-limited.js';
import type { Connection, ConnectionInfo } from './connection.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../auth/auth-service.js';
import type { SyncHub } from './hub.js';
import type { SyncSocket } from './socket.js';

export interface SyncTransportDeps {
  hub: SyncHub;
  authenticate(token: string): Promise<Principal>;
  access(userId: string, ref: DocRef): Access;
  /** Extra allowed Origins besides the server's own. */
  origins: readonly string[];
  maxFrameBytes: number;
  maxPreAuthBytes: number;
  maxConnectionsPerUser: number;
  logger: Logger;
}

const SYNC_PREFIX = '/sync/';

/** `Retry-After` of a refused upgrade (too many open connections): spares a reconnect storm. */
const UPGRADE_RETRY_AFTER_SECONDS = 5;

/** Serves sync on `server`'s upgrade requests; returns a function that stops accepting new ones. */
export function attachSyncTransport(server: Server, deps: SyncTransportDeps): () => void {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: deps.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // Browsers pass the token as a subprotocol; the server answers with the plain one, never the token.
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  const perUser = new Map<string, number>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    handleUpgrade(wss, deps, perUser, req, socket, head).catch((err: unknown) => {
      deps.logger.error({ err }, 'upgrade failed');
      reject(socket, 500, 'internal', 'internal error');
    });
  };
  server.on('upgrade', onUpgrade);
  return () => server.off('upgrade', onUpgrade);
}

async function handleUpgrade(
  wss: WebSocketServer,
  deps: SyncTransportDeps,
  perUser: Map<string, number>,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith(SYNC_PREFIX)) return reject(socket, 404, 'not-found', 'no such endpoint');
  let name: string;
  try {
    name = decodeURIComponent(url.pathname.slice(SYNC_PREFIX.length));
  } catch {
    return reject(socket, 400, 'bad-request', 'malformed document name');
  }
  const ref = parseDocName(name);
  if (!ref) return reject(socket, 400, 'bad-request', 'not a document name (kind:id)');
  if (!originAllowed(req, deps.origins)) return reject(socket, 403, 'forbidden', 'origin not allowed');
  if (head.length > deps.maxPreAuthBytes)
    return reject(socket, 400, 'bad-request', 'too much data before the handshake');
  const token = tokenOf(req, url);
  if (!token) return reject(socket, 401, 'unauthorized', 'a token is required');
  let principal: Principal;
  try {
    principal = await deps.authenticate(token);
  } catch {
    return reject(socket, 401, 'unauthorized', 'invalid or expired token');
  }
  const access = deps.access(principal.userId, ref);
  if (access === 'none') return reject(socket, 403, 'forbidden', 'no access to this document');
  const open = perUser.get(principal.userId) ?? 0;
  if (open >= deps.maxConnectionsPerUser)
    return reject(socket, 429, 'rate-limited', 'too many open connections');
  if (socket.destroyed) return;
  const acks = url.searchParams.get('acks') === '1';
  wss.handleUpgrade(req, socket, head, (ws) => {
    perUser.set(principal.userId, open + 1);
    const info: ConnectionInfo = {
      userId: principal.userId,
      name: principal.name,
      docName: docName(ref),
      ref,
      access,
      acks,
      expiresAt: principal.expiresAt,
    };
    if (principal.sessionId) info.sessionId = principal.sessionId;
    if (principal.apiTokenId) info.apiTokenId = principal.apiTokenId;
    const link = new WsSyncSocket(ws, socket, perUser, principal.userId);
    (ws as LinkedWebSocket)[LINK] = link;
    link.conn = deps.hub.connect(link, info);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
  });
}

/**
 * The socket the hub writes to, one per connection. Messages are framed here and written to the
 * TCP socket directly (the one `ws` owns; `ws` itself only writes control frames to it,
 * synchronously, so the order holds): a broadcast hands the same bytes to every member, and they
 * are framed once for all of them instead of once per socket by `ws.send`. The `ws` listeners
 * below are shared by every connection and find theirs through `LINK`, so an idle connection
 * costs this one small object, not a set of closures.
 */
class WsSyncSocket implements SyncSocket {
  conn: Connection | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly perUser: Map<string, number>,
    readonly userId: string,
  ) {}

  send(data: Uint8Array): void {
    if (this.ws.readyState === OPEN) this.socket.write(framed(data));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }
}

const OPEN = 1;
const LINK = Symbol('caucus.sync-socket');
type LinkedWebSocket = WebSocket & { [LINK]: WsSyncSocket };

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const conn = (this as LinkedWebSocket)[LINK].conn as Connection;
  if (!isBinary) conn.receiveText();
  else conn.receive(toBytes(data));
}

function onClose(this: WebSocket, code: number): void {
  const { perUser, userId, conn } = (this as LinkedWebSocket)[LINK];
  const left = (perUser.get(userId) ?? 1) - 1;
  if (left <= 0) perUser.delete(userId);
  else perUser.set(userId, left);
  conn?.onSocketClosed(code === 1009 ? 1009 : null, '');
}

function onError(this: WebSocket): void {
  this.terminate();
}

/** The last message framed, and its frame: a broadcast sends the same bytes many times in a row. */
let lastMessage: Uint8Array | null = null;
let lastFrame: Buffer = Buffer.alloc(0);

function framed(message: Uint8Array): Buffer {
  if (message !== lastMessage) {
    lastFrame = binaryFrame(message);
    lastMessage = message;
  }
  return lastFrame;
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

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const query = url.searchParams.get('token');
  if (query) return query;
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols) {
    for (const p of protocols.split(',')) {
      const value = p.trim();
      if (value.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return value.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
    }
  }
  return null;
}

/** Same-origin is always allowed, and so are clients that send no Origin (scripts, not browsers). */
function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

function reject(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  // A slot frees when one of the user's sockets closes, which cannot be foreseen: ask for a pause.
  const retry = status === 429 ? `Retry-After: ${retryAfterValue(UPGRADE_RETRY_AFTER_SECONDS)}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\n${retry}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
