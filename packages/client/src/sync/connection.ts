/**
 * The one WebSocket of a client (caucus.mux.v1): connects with a token from the TokenSource,
 * reconnects with jittered exponential backoff (at once on the browser's `online` and
 * `visibilitychange`), detects a dead link by an application ping, renews the token on the open
 * socket before it expires (`auth` frame), and on close 4401 gets a new token and reconnects.
 * What the frames mean is the session's business (session.ts).
 */
import {
  MalformedMuxFrame,
  decodeMuxServer,
  encodeMuxClient,
  type MuxClientMessage,
  type MuxServerMessage,
} from '@caucus/schema';
import { AuthRequired } from '../auth/token-source.js';
import { Store } from '../observable.js';
import { backoffDelay, BACKOFF_BASE_MS, BACKOFF_CAP_MS } from './backoff.js';
import { listenToBrowser } from './browser-events.js';
import type {
  ConnectionOptions,
  ConnectionState,
  ConnectionStatus,
  HeartbeatOptions,
} from './connection-types.js';
import { CLIENT_CLOSE_MALFORMED, type Transport } from './transport.js';

export type * from './connection-types.js';

/** Silence after which a ping is sent (ms). */
export const PING_AFTER_MS = 1500;
/** Silence after which the socket is given up (ms): a dead link is noticed within 5 s. */
export const DEAD_AFTER_MS = 4000;
/** A socket that has not opened after this long is given up and tried again (ms). */
const CONNECT_TIMEOUT_MS = 10_000;
/** How often the heartbeat looks at the silence (ms). */
const HEARTBEAT_TICK_MS = 250;
/** A connection that lasted this long counts as a success: the backoff starts over (ms). */
const STABLE_AFTER_MS = 5000;
/** Renew the token this long before it expires (ms), or a third of a shorter lifetime before. */
const RENEW_BEFORE_EXPIRY_MS = 60_000;

const unref = <T>(timer: T): T => {
  (timer as { unref?: () => void }).unref?.();
  return timer;
};

export class MuxConnection {
  readonly status = new Store<ConnectionStatus>({ state: 'offline', problem: null, retryAt: null });
  private transport: Transport | null = null;
  /** Bumped whenever a socket is given up, so its late events are ignored. */
  private generation = 0;
  private token: string | null = null;
  private tokenAt = 0;
  private openedAt: number | null = null;
  private lastHeardAt = 0;
  private pingId = 0;
  private pingSentAt: number | null = null;
  private attempt = 0;
  /** 4401s in a row without a stable connection between them. */
  private unauthorizedInRow = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private renewTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private readonly heartbeat: HeartbeatOptions;
  private readonly now: () => number;
  private removeBrowserListeners: () => void = () => undefined;

  constructor(private readonly options: ConnectionOptions) {
    this.heartbeat = {
      pingAfterMs: options.heartbeat?.pingAfterMs ?? PING_AFTER_MS,
      deadAfterMs: options.heartbeat?.deadAfterMs ?? DEAD_AFTER_MS,
    };
    this.now = options.now ?? Date.now;
  }

  get state(): ConnectionState {
    return this.status.current.state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.removeBrowserListeners = listenToBrowser(() => this.retryNow());
    this.connect();
  }

  /** Closes the socket and stops reconnecting. */
  stop(): void {
    this.stopped = true;
    this.clearRetry();
    this.removeBrowserListeners();
    if (this.transport) this.drop(1000, 'client closed');
    this.set({ state: 'offline', retryAt: null });
  }

  /** Connects now instead of waiting out the backoff (also after an `auth-required` stop). */
  retryNow(): void {
    if (this.stopped || this.transport) return;
    this.clearRetry();
    this.attempt = 0;
    this.set({ problem: null });
    this.connect();
  }

  /** Sends a frame if the socket is open; false when it is not. */
  send(message: MuxClientMessage): boolean {
    if (!this.transport || this.state !== 'online') return false;
    this.transport.send(encodeMuxClient(message));
    return true;
  }

  /** Cuts the socket as if the network had (tests, and a browser going `offline`). */
  interrupt(): void {
    if (this.transport) this.lost(1006, 'interrupted');
  }

  private set(part: Partial<ConnectionStatus>): void {
    const current = this.status.current;
    const next = { ...current, ...part };
    if (next.state !== current.state || next.problem !== current.problem || next.retryAt !== current.retryAt)
      this.status.set(next);
  }

  private connect(): void {
    if (this.stopped || this.transport) return;
    const generation = ++this.generation;
    this.set({ state: 'connecting', retryAt: null });
    this.options.auth.token().then(
      (token) => {
        if (generation !== this.generation || this.stopped) return;
        this.useToken(token);
        this.transport = this.options.transport(this.options.url, token, {
          open: () => generation === this.generation && this.opened(),
          message: (frame) => generation === this.generation && this.received(frame),
          close: (code, reason) => generation === this.generation && this.lost(code, reason),
        });
        // A link that swallows the handshake (a held or black-holed connection) is not waited on forever.
        this.connectTimer = unref(
          setTimeout(
            () => generation === this.generation && this.lost(1006, 'connect timeout'),
            CONNECT_TIMEOUT_MS,
          ),
        );
      },
      (err: unknown) => {
        if (generation !== this.generation) return;
        if (err instanceof AuthRequired) this.giveUp(err.message);
        else this.scheduleRetry();
      },
    );
  }

  private useToken(token: string): void {
    if (token !== this.token) this.tokenAt = this.now();
    this.token = token;
  }

  private opened(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.openedAt = this.lastHeardAt = this.now();
    this.pingSentAt = null;
    this.set({ state: 'online', problem: null });
    this.heartbeatTimer = unref(setInterval(() => this.beat(), HEARTBEAT_TICK_MS));
    this.scheduleRenewal();
    this.options.listener.opened();
  }

  private received(frame: Uint8Array): void {
    this.lastHeardAt = this.now();
    let message: MuxServerMessage;
    try {
      message = decodeMuxServer(frame);
    } catch (err) {
      if (!(err instanceof MalformedMuxFrame)) throw err;
      this.transport?.close(CLIENT_CLOSE_MALFORMED, 'malformed frame');
      return this.lost(CLIENT_CLOSE_MALFORMED, err.message);
    }
    if (message.type === 'pong') this.pingSentAt = null;
    else if (message.type === 'authed') this.scheduleRenewal();
    else this.options.listener.frame(message);
  }

  private beat(): void {
    if (!this.transport || this.state !== 'online') return;
    const silent = this.now() - this.lastHeardAt;
    if (silent >= this.heartbeat.deadAfterMs) {
      this.transport.close(1000, 'no answer to ping');
      return this.lost(1006, 'no answer to ping');
    }
    if (silent >= this.heartbeat.pingAfterMs && this.pingSentAt === null) {
      this.pingSentAt = this.now();
      this.send({ type: 'ping', id: (this.pingId = (this.pingId + 1) % 2 ** 31) });
    }
  }

  /** Forgets the current socket (no more of its events), stopping its timers. */
  private drop(code: number, reason: string): void {
    const wasOpen = this.openedAt !== null;
    this.generation++;
    this.transport?.close(code, reason);
    this.transport = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.renewTimer) clearTimeout(this.renewTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.heartbeatTimer = this.renewTimer = this.connectTimer = null;
    if (this.openedAt !== null && this.now() - this.openedAt >= STABLE_AFTER_MS) {
      this.attempt = 0;
      this.unauthorizedInRow = 0;
    }
    this.openedAt = null;
    if (wasOpen) this.options.listener.dropped();
  }

  private lost(code: number, reason: string): void {
    this.drop(code, reason);
    if (this.stopped) return;
    this.set({ state: 'offline' });
    if (code === 4401) return this.renew401();
    this.scheduleRetry();
  }

  /** Close 4401 (or an upgrade's 401): a new token, then at once a new socket. */
  private renew401(): void {
    const rejected = this.token ?? '';
    const generation = ++this.generation;
    this.options.auth.refresh(rejected).then(
      (token) => {
        if (generation !== this.generation || this.stopped) return;
        this.useToken(token);
        // A token refused again right away: wait like any failure rather than spin.
        if (this.unauthorizedInRow++ === 0) this.connect();
        else this.scheduleRetry();
      },
      (err: unknown) => {
        if (generation !== this.generation) return;
        if (err instanceof AuthRequired) this.giveUp(err.message);
        else this.scheduleRetry();
      },
    );
  }

  private giveUp(message: string): void {
    this.set({ state: 'offline', retryAt: null, problem: { code: 'auth-required', message } });
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.clearRetry();
    const delay = backoffDelay(
      this.attempt++,
      this.options.random,
      this.options.backoff?.baseMs ?? BACKOFF_BASE_MS,
      this.options.backoff?.capMs ?? BACKOFF_CAP_MS,
    );
    this.set({ state: 'offline', retryAt: this.now() + delay });
    this.retryTimer = unref(
      setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, delay),
    );
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Renews the token on the open socket ahead of its expiry, so subscriptions never drop for it. */
  private scheduleRenewal(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = null;
    const expiresAt = this.options.auth.expiresAt();
    if (expiresAt === null || this.state !== 'online') return;
    const lifetime = Math.max(0, expiresAt - this.tokenAt);
    const lead = Math.min(RENEW_BEFORE_EXPIRY_MS, lifetime / 3);
    const generation = this.generation;
    this.renewTimer = unref(
      setTimeout(() => void this.renew(generation), Math.max(0, expiresAt - lead - this.now())),
    );
  }

  private async renew(generation: number): Promise<void> {
    const current = this.token ?? '';
    try {
      let token = await this.options.auth.token();
      if (token === current) token = await this.options.auth.refresh(current);
      if (generation !== this.generation || token === current) return;
      this.useToken(token);
      this.send({ type: 'auth', token });
    } catch {
      // The server closes with 4401 at expiry; that path gets a token or reports auth-required.
    }
  }
}
