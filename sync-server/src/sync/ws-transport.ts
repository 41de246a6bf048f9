/**
 * The WebSocket edge of sync: authenticates HTTP upgrades and hands the sockets to the sync core.
 * Two endpoints share the token, Origin and per-user rules:
 *
 * - `/sync/<docName>`: one document per socket, the y-websocket protocol (the official client);
 *   document access is checked at upgrade (403).
 * - `/sync` with the subprotocol `caucus.mux.v1`: many documents per socket; access is checked per
 *   subscription, never at upgrade (mux-session.ts).
 *
 * It holds no sync logic.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CLOSE_CODES,
  MUX_SUBPROTOCOL,
  SUBPROTOCOL,
  docName,
  parseDocName,
  type Access,
  type DocRef,
} from '@caucus/schema';
import type { Principal } from '../auth/auth-service.js';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics, UpgradeRefusal } from '../metrics.js';
import { encodePermissionDenied } from './codec.js';
import type { ConnectionInfo } from './connection-info.js';
import type { Connection } from './connection.js';
import { Heartbeat } from './heartbeat.js';
import type { SyncHub } from './hub.js';
import { MuxSession } from './mux-session.js';
import type { SyncSocket } from './socket.js';
import { offeredProtocols, originAllowed, refuseUpgrade, tokenOf } from './upgrade-request.js';
import { WsLink, type LinkContext } from './ws-link.js';

export interface SyncTransportDeps {
  hub: SyncHub;
  authenticate(token: string): Promise<Principal>;
  access(userId: string, ref: DocRef): Access;
  /** Extra allowed Origins besides the server's own. */
  origins: readonly string[];
  limits: Limits;
  metrics: Metrics;
  logger: Logger;
}

export interface SyncTransport {
  /** Stops accepting upgrades and stops the heartbeat (open sockets are closed by the hub). */
  detach(): void;
  /** Open sync sockets, whatever their protocol (a multiplexed socket counts once). */
  readonly sockets: number;
}

const MUX_PATH = '/sync';
const SYNC_PREFIX = '/sync/';

/** Serves sync on `server`'s upgrade requests. */
export function attachSyncTransport(server: Server, deps: SyncTransportDeps): SyncTransport {
  const { metrics, logger, limits } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // Browsers pass the token as a subprotocol; the server answers with the plain one, never the token.
    handleProtocols: (protocols, req) => {
      const wanted =
        new URL(req.url ?? '/', 'http://localhost').pathname === MUX_PATH ? MUX_SUBPROTOCOL : SUBPROTOCOL;
      return protocols.has(wanted) ? wanted : false;
    },
  });
  const heartbeat = new Heartbeat<WsLink>(limits.heartbeatIntervalMs, (link) => {
    metrics.wsHeartbeatTimeouts.inc();
    logger.info({ user: link.userId }, 'sync socket dropped: no answer to ping');
    link.terminate();
  });
  const ctx: LinkContext = {
    maxBufferedBytes: limits.maxBufferedBytes,
    traffic: metrics.wsTraffic,
    heartbeat,
    perUser: new Map(),
    onLinkClosed: (link) => metrics.wsSockets.dec({ protocol: link instanceof MuxLink ? 'mux' : 'doc' }),
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: UpgradeRefusal, code: string, message: string) => {
      metrics.wsUpgradesRefused.inc({ reason });
      refuseUpgrade(socket, status, code, message);
    };
    handleUpgrade({ wss, deps, ctx, req, socket, head, refuse }).catch((err: unknown) => {
      logger.error({ err }, 'upgrade failed');
      refuse(500, 'internal', 'internal', 'internal error');
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    detach() {
      server.off('upgrade', onUpgrade);
      heartbeat.stop();
    },
    get sockets() {
      return heartbeat.size;
    },
  };
}

interface Upgrade {
  wss: WebSocketServer;
  deps: SyncTransportDeps;
  ctx: LinkContext;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  refuse: (status: number, reason: UpgradeRefusal, code: string, message: string) => void;
}

async function handleUpgrade(u: Upgrade): Promise<void> {
  const { deps, req, refuse } = u;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const mux = url.pathname === MUX_PATH;
  let ref: DocRef | null = null;
  if (!mux) {
    if (!url.pathname.startsWith(SYNC_PREFIX))
      return refuse(404, 'not-found', 'not-found', 'no such endpoint');
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.slice(SYNC_PREFIX.length));
    } catch {
      return refuse(400, 'bad-request', 'bad-request', 'malformed document name');
    }
    ref = parseDocName(name);
    if (!ref) return refuse(400, 'bad-request', 'bad-request', 'not a document name (kind:id)');
  }
  if (!originAllowed(req, deps.origins)) return refuse(403, 'origin', 'forbidden', 'origin not allowed');
  if (u.head.length > deps.limits.maxPreAuthBytes)
    return refuse(400, 'bad-request', 'bad-request', 'too much data before the handshake');
  if (mux && !offeredProtocols(req).includes(MUX_SUBPROTOCOL))
    return refuse(
      400,
      'bad-request',
      'bad-request',
      `${MUX_PATH} speaks ${MUX_SUBPROTOCOL}: offer it as a subprotocol`,
    );
  const token = tokenOf(req, url);
  if (!token) return refuse(401, 'unauthorized', 'unauthorized', 'a token is required');
  let principal: Principal;
  try {
    principal = await deps.authenticate(token);
  } catch {
    return refuse(401, 'unauthorized', 'unauthorized', 'invalid or expired token');
  }
  const access = ref ? deps.access(principal.userId, ref) : null;
  if (access === 'none') return refuse(403, 'forbidden', 'forbidden', 'no access to this document');
  if ((u.ctx.perUser.get(principal.userId) ?? 0) >= deps.limits.maxConnectionsPerUser)
    return refuse(429, 'too-many-connections', 'rate-limited', 'too many open connections');
  if (u.socket.destroyed) return;
  const acks = url.searchParams.get('acks') === '1';
  u.wss.handleUpgrade(req, u.socket, u.head, (ws) => {
    if (ref && access) openDocument(u, ws, principal, ref, access, acks);
    else openMux(u, ws, principal);
  });
}

function openDocument(
  u: Upgrade,
  ws: WebSocket,
  principal: Principal,
  ref: DocRef,
  access: Access,
  acks: boolean,
) {
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
  const link = new DocLink(ws, u.socket, u.ctx, principal.userId);
  link.bind();
  u.deps.metrics.wsSockets.inc({ protocol: 'doc' });
  link.conn = u.deps.hub.connect(link, info);
}

function openMux(u: Upgrade, ws: WebSocket, principal: Principal) {
  const link = new MuxLink(ws, u.socket, u.ctx, principal.userId);
  link.bind();
  u.deps.metrics.wsSockets.inc({ protocol: 'mux' });
  link.session = new MuxSession(u.deps, link, principal);
}

/** A socket carrying one document: it is that document's `SyncSocket`. */
class DocLink extends WsLink implements SyncSocket {
  conn: Connection | null = null;

  send(data: Uint8Array, onWritten?: () => void): void {
    this.write(data, onWritten);
  }

  /** The y-websocket protocol has no "access" message: a downgrade is told as a refusal. */
  accessChanged(access: 'read' | 'write'): void {
    if (access === 'read')
      this.write(
        encodePermissionDenied({
          code: 'read-only',
          message: 'your access changed: this document is now read-only',
        }),
      );
  }

  receive(frame: Uint8Array): void {
    this.conn?.receive(frame);
  }

  receiveText(): void {
    this.conn?.receiveText();
  }

  linkClosed(code: number | null): void {
    this.conn?.onSocketClosed(code, '');
  }

  protected overflow(): void {
    this.conn?.close(CLOSE_CODES.tryAgainLater, 'slow-consumer');
  }
}

/** A multiplexed socket: its session holds the documents. */
class MuxLink extends WsLink {
  session: MuxSession | null = null;

  receive(frame: Uint8Array): void {
    this.session?.receive(frame);
  }

  receiveText(): void {
    this.session?.receiveText();
  }

  linkClosed(code: number | null): void {
    this.session?.linkClosed(code);
  }

  protected overflow(): void {
    this.session?.close(CLOSE_CODES.tryAgainLater, 'slow-consumer');
  }
}
