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
import type { ConnectionInfo } from './connection.js';
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
  wss.handleUpgrade(req, socket, head, (ws) => {
    perUser.set(principal.userId, open + 1);
    const info: ConnectionInfo = {
      userId: principal.userId,
      name: principal.name,
      docName: docName(ref),
      ref,
      access,
      acks: url.searchParams.get('acks') === '1',
      expiresAt: principal.expiresAt,
    };
    if (principal.sessionId) info.sessionId = principal.sessionId;
    if (principal.apiTokenId) info.apiTokenId = principal.apiTokenId;
    const conn = deps.hub.connect(adapt(ws), info);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) conn.receiveText();
      else conn.receive(toBytes(data));
    });
    ws.on('close', (code: number) => {
      const left = (perUser.get(principal.userId) ?? 1) - 1;
      if (left <= 0) perUser.delete(principal.userId);
      else perUser.set(principal.userId, left);
      conn.onSocketClosed(code === 1009 ? 1009 : null, '');
    });
    ws.on('error', () => ws.terminate());
  });
}

function adapt(ws: WebSocket): SyncSocket {
  return {
    send: (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
    },
    close: (code, reason) => ws.close(code, reason),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
  };
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
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
