/**
 * One multiplexed socket (`caucus.mux.v1`, docs/PROTOCOL.md "Many documents on one connection"):
 * decodes its frames and keeps a channel per subscribed document, each served by an ordinary
 * `Connection`. What concerns one document — access, content rules, limits, a refusal — ends that
 * channel only (`closed`); what concerns the socket — its token, the shutdown, a slow consumer,
 * its own rate and framing — ends the socket. Transport-free: it writes to a `MuxWire`.
 */
import {
  CLOSE_CODES,
  MUX_CLOSE,
  decodeMuxClient,
  docName,
  encodeMuxServer,
  parseDocName,
  type Access,
  type DocRef,
  type MuxClientMessage,
  type MuxSubscription,
} from '@caucus/schema';
import type { Principal } from '../auth/auth-service.js';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { encodeSyncStep1 } from './codec.js';
import type { ConnectionInfo } from './connection-info.js';
import type { Connection } from './connection.js';
import type { HubSession } from './connection-registry.js';
import { MuxChannel, type ChannelHost } from './mux-channel.js';
import { takeToken, type TokenBucket } from './rate-limiter.js';
import type { SyncSocket } from './socket.js';

/** The shared socket, as the session writes to it. */
export interface MuxWire {
  write(frame: Uint8Array, onWritten?: () => void): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

/** What a session needs from the sync hub. */
export interface MuxHost {
  readonly limits: Limits;
  now(): number;
  /** Runs `fn` after `ms` (the hub's scheduler); the result cancels it. */
  after(ms: number, fn: () => void): () => void;
  connect(socket: SyncSocket, info: ConnectionInfo): Connection;
  track(session: HubSession): void;
  untrack(session: HubSession): void;
}

export interface MuxSessionDeps {
  hub: MuxHost;
  access(userId: string, ref: DocRef): Access;
  authenticate(token: string): Promise<Principal>;
  metrics: Metrics;
  logger: Logger;
}

export type MuxPrincipal = Pick<Principal, 'userId' | 'name' | 'sessionId' | 'apiTokenId' | 'expiresAt'>;

/** Channel close codes that concern the whole socket: they close it, with every channel. */
const SOCKET_WIDE = new Set<number>([
  CLOSE_CODES.unauthorized,
  CLOSE_CODES.goingAway,
  CLOSE_CODES.tryAgainLater,
]);

/** A subscribe or unsubscribe may list this many times the document cap before it is malformed. */
const LIST_SLACK = 4;

export class MuxSession implements HubSession, ChannelHost, TokenBucket {
  closed = false;
  tokens: number;
  refilledAt: number;
  readonly info: Pick<ConnectionInfo, 'userId' | 'name' | 'sessionId' | 'apiTokenId'>;
  private readonly channels = new Map<string, MuxChannel>();
  private expiresAt: number | null = null;
  private cancelExpiry: (() => void) | null = null;

  constructor(
    private readonly deps: MuxSessionDeps,
    private readonly wire: MuxWire,
    principal: MuxPrincipal,
  ) {
    const rate = deps.hub.limits.muxMessagesPerSecond;
    this.tokens = rate * 2;
    this.refilledAt = deps.hub.now();
    this.info = { userId: principal.userId, name: principal.name };
    this.identify(principal);
    deps.hub.track(this);
  }

  get bufferedAmount(): number {
    return this.wire.bufferedAmount;
  }

  /** Documents currently subscribed. */
  get size(): number {
    return this.channels.size;
  }

  write(frame: Uint8Array, onWritten?: () => void): void {
    if (!this.closed) this.wire.write(frame, onWritten);
  }

  receive(frame: Uint8Array): void {
    if (this.closed) return;
    if (!this.take()) return this.close(CLOSE_CODES.rateLimited, 'rate-limited');
    let message: MuxClientMessage;
    try {
      message = decodeMuxClient(frame, this.deps.hub.limits.maxDocsPerConnection * LIST_SLACK);
    } catch {
      // The codec throws MalformedMuxFrame for anything it cannot read.
      return this.close(CLOSE_CODES.malformed, 'malformed-frame');
    }
    try {
      this.handle(message);
    } catch (err) {
      // Whatever a frame provokes ends this socket, never the process.
      this.deps.logger.error({ err, user: this.info.userId }, 'failed to serve a multiplexed frame');
      this.close(CLOSE_CODES.internalError, 'internal-error');
    }
  }

  private handle(message: MuxClientMessage): void {
    switch (message.type) {
      case 'subscribe':
        return this.subscribe(message.docs);
      case 'unsubscribe':
        for (const doc of message.docs)
          this.channels.get(doc)?.conn?.close(MUX_CLOSE.unsubscribed, 'unsubscribed');
        return;
      case 'doc':
        // A message for a document this socket does not hold: one the server closed while the
        // message was on its way. Not an error.
        this.channels.get(message.doc)?.conn?.receive(message.message);
        return;
      case 'ping':
        return this.write(encodeMuxServer({ type: 'pong', id: message.id }));
      case 'auth':
        return this.reauthenticate(message.token);
    }
  }

  receiveText(): void {
    this.close(CLOSE_CODES.malformed, 'text-frame');
  }

  private take(): boolean {
    const rate = this.deps.hub.limits.muxMessagesPerSecond;
    return takeToken(this, rate, rate * 2, this.deps.hub.now());
  }

  private subscribe(subscriptions: readonly MuxSubscription[]): void {
    const { hub, metrics } = this.deps;
    for (const sub of subscriptions) {
      if (this.closed) return;
      const open = this.channels.get(sub.doc);
      if (open?.conn) {
        // Subscribing again to an open document: a fresh sync of it.
        open.conn.info.acks = sub.acks;
        this.write(encodeMuxServer({ type: 'subscribed', doc: sub.doc, access: readable(open.conn) }));
        open.conn.receive(encodeSyncStep1(sub.stateVector));
        continue;
      }
      const ref = parseDocName(sub.doc);
      if (!ref) {
        this.refuse(sub.doc, MUX_CLOSE.notFound, 'not-a-document');
        continue;
      }
      if (this.channels.size >= hub.limits.maxDocsPerConnection) {
        this.refuse(sub.doc, MUX_CLOSE.tooManyDocuments, 'too-many-documents');
        continue;
      }
      const granted = this.deps.access(this.info.userId, ref);
      if (granted === 'none') {
        this.refuse(sub.doc, MUX_CLOSE.forbidden, 'no-access');
        continue;
      }
      // Every document opened costs a token: 500 channels cannot multiply the socket's budget.
      if (!this.take()) return this.close(CLOSE_CODES.rateLimited, 'rate-limited');
      const name = docName(ref);
      const channel = new MuxChannel(this, name);
      this.channels.set(name, channel);
      metrics.muxSubscriptions.inc();
      this.write(encodeMuxServer({ type: 'subscribed', doc: name, access: granted }));
      const info: ConnectionInfo = {
        ...this.info,
        docName: name,
        ref,
        access: granted,
        acks: sub.acks,
        // The socket keeps the one expiry timer (and refreshes it on `auth`), not every channel.
        expiresAt: null,
      };
      channel.conn = hub.connect(channel, info);
      // The client's state vector is its sync step 1: answered once the document is loaded.
      channel.conn.receive(encodeSyncStep1(sub.stateVector));
    }
  }

  private refuse(doc: string, code: number, reason: string): void {
    this.deps.metrics.muxSubscriptionsRefused.inc({ code: String(code) });
    this.write(encodeMuxServer({ type: 'closed', doc, code, reason }));
  }

  channelClosed(channel: MuxChannel, code: number, reason: string): void {
    if (this.channels.get(channel.doc) !== channel) return;
    if (SOCKET_WIDE.has(code)) return this.close(code, reason, channel);
    this.release(channel);
    this.write(encodeMuxServer({ type: 'closed', doc: channel.doc, code, reason }));
  }

  private release(channel: MuxChannel): void {
    this.channels.delete(channel.doc);
    this.deps.metrics.muxSubscriptions.dec();
  }

  private reauthenticate(token: string): void {
    void this.deps.authenticate(token).then(
      (principal) => {
        if (this.closed) return;
        if (principal.userId !== this.info.userId)
          return this.close(CLOSE_CODES.unauthorized, 'token-user-mismatch');
        this.identify(principal);
        for (const { conn } of this.channels.values()) {
          if (!conn) continue;
          setOptional(conn.info, 'sessionId', this.info.sessionId);
          setOptional(conn.info, 'apiTokenId', this.info.apiTokenId);
        }
        this.write(encodeMuxServer({ type: 'authed', expiresAt: this.expiresAt }));
      },
      () => this.close(CLOSE_CODES.unauthorized, 'invalid-token'),
    );
  }

  /** Takes the token's session, API token and expiry, and (re)arms the expiry timer. */
  private identify(principal: MuxPrincipal): void {
    setOptional(this.info, 'sessionId', principal.sessionId);
    setOptional(this.info, 'apiTokenId', principal.apiTokenId);
    this.expiresAt = principal.expiresAt;
    this.cancelExpiry?.();
    this.cancelExpiry = null;
    if (principal.expiresAt === null) return;
    const ms = principal.expiresAt - this.deps.hub.now();
    const expire = () => this.close(CLOSE_CODES.unauthorized, 'token-expired');
    if (ms <= 0) queueMicrotask(expire);
    // Timers past 2^31 ms overflow; such a socket is checked again when it next authenticates.
    else if (ms < 2 ** 31) {
      this.cancelExpiry = this.deps.hub.after(ms, expire);
    }
  }

  /** Closes the socket and every channel on it (`except`: the channel whose close caused it). */
  close(code: number, reason: string, except?: MuxChannel): void {
    if (this.closed) return;
    this.wire.close(code, reason);
    // Counted once per socket: a close caused by a channel was counted as that channel's.
    if (!except) this.deps.metrics.closedConnections.inc({ code: String(code) });
    if (code !== CLOSE_CODES.goingAway)
      this.deps.logger.info({ user: this.info.userId, code, reason }, 'multiplexed socket closed by server');
    this.end(null, except);
  }

  /** The socket closed (the client left, or after `close`). */
  linkClosed(code: number | null): void {
    this.end(code);
  }

  private end(code: number | null, except?: MuxChannel): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelExpiry?.();
    this.deps.hub.untrack(this);
    const channels = [...this.channels.values()];
    this.channels.clear();
    this.deps.metrics.muxSubscriptions.dec(channels.length);
    for (const channel of channels) if (channel !== except) channel.conn?.onSocketClosed(code, '');
  }
}

function readable(conn: Connection): 'read' | 'write' {
  return conn.currentAccess === 'write' ? 'write' : 'read';
}

/** Sets or removes an optional field (`exactOptionalPropertyTypes` forbids assigning undefined). */
function setOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
