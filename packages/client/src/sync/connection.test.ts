/**
 * The connection's state machine over an in-memory transport with explicit control (STYLE §10):
 * reconnects with backoff, 4401 → a new token without losing the listener's subscriptions, the
 * heartbeat that gives a silent socket up within 5 s, token renewal on the open socket.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  decodeMuxClient,
  encodeMuxServer,
  type MuxClientMessage,
  type MuxServerMessage,
} from '@caucus/schema';
import { AuthRequired, staticToken, type TokenSource } from '../auth/token-source.js';
import { DEAD_AFTER_MS, MuxConnection, type ConnectionListener } from './connection.js';
import type { TransportEvents, TransportFactory } from './transport.js';

interface FakeSocket {
  token: string;
  events: TransportEvents;
  sent: MuxClientMessage[];
  closedByClient: boolean;
  serve(m: MuxServerMessage): void;
}

function fakeTransport() {
  const sockets: FakeSocket[] = [];
  const factory: TransportFactory = (_url, token, events) => {
    const socket: FakeSocket = {
      token,
      events,
      sent: [],
      closedByClient: false,
      serve: (m) => events.message(encodeMuxServer(m)),
    };
    sockets.push(socket);
    return {
      send: (frame) => socket.sent.push(decodeMuxClient(frame)),
      close: () => void (socket.closedByClient = true),
    };
  };
  return { sockets, factory, last: () => sockets.at(-1) as FakeSocket };
}

function listener() {
  const log: string[] = [];
  const l: ConnectionListener = {
    opened: () => log.push('opened'),
    frame: (m) => log.push(`frame:${m.type}`),
    dropped: () => log.push('dropped'),
  };
  return { log, l };
}

/** Lets the token promise and the transport callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('MuxConnection', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('opens with a token, passes frames on, and reconnects with growing jittered delays', async () => {
    const t = fakeTransport();
    const { log, l } = listener();
    const c = new MuxConnection({
      url: 'ws://x/sync',
      auth: staticToken('cau_a'),
      transport: t.factory,
      listener: l,
      random: () => 1,
    });
    c.start();
    await settle();
    expect(c.state).toBe('connecting');
    t.last().events.open();
    expect(c.state).toBe('online');
    t.last().serve({ type: 'subscribed', doc: 'thread:a', access: 'write' });
    expect(log).toEqual(['opened', 'frame:subscribed']);

    t.last().events.close(1006, 'gone');
    expect(c.state).toBe('offline');
    expect(log.at(-1)).toBe('dropped');
    await vi.advanceTimersByTimeAsync(499);
    expect(t.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sockets).toHaveLength(2);
    t.last().events.close(1006, 'refused');
    await vi.advanceTimersByTimeAsync(999);
    expect(t.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sockets).toHaveLength(3);
    c.stop();
  });

  it('on close 4401 gets a new token and reconnects at once; auth-required stops it', async () => {
    const t = fakeTransport();
    const { log, l } = listener();
    let n = 0;
    let refusals = 0;
    const auth: TokenSource = {
      token: () => Promise.resolve(`jwt-${n}`),
      refresh: (rejected) => {
        expect(rejected).toBe(`jwt-${n}`);
        if (++refusals > 1) return Promise.reject(new AuthRequired('signed out'));
        return Promise.resolve(`jwt-${++n}`);
      },
      expiresAt: () => null,
    };
    const c = new MuxConnection({ url: 'ws://x/sync', auth, transport: t.factory, listener: l });
    c.start();
    await settle();
    t.last().events.open();
    t.last().events.close(4401, 'token-expired');
    await settle();
    expect(t.sockets.map((s) => s.token)).toEqual(['jwt-0', 'jwt-1']);
    t.last().events.open();
    expect(log.filter((e) => e === 'opened')).toHaveLength(2);

    t.last().events.close(4401, 'token-revoked');
    await settle();
    expect(c.status.current).toMatchObject({ state: 'offline', problem: { code: 'auth-required' } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(2);
    c.stop();
  });

  it('pings a quiet socket and gives a silent one up within 5 s', async () => {
    const t = fakeTransport();
    const { log, l } = listener();
    const c = new MuxConnection({
      url: 'ws://x/sync',
      auth: staticToken('t'),
      transport: t.factory,
      listener: l,
    });
    c.start();
    await settle();
    const first = t.last();
    first.events.open();
    await vi.advanceTimersByTimeAsync(2000);
    const ping = first.sent.find((m) => m.type === 'ping');
    expect(ping).toBeDefined();
    first.serve({ type: 'pong', id: ping?.type === 'ping' ? ping.id : -1 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(c.state).toBe('online');
    // Now the link goes silent: no pong, nothing at all.
    await vi.advanceTimersByTimeAsync(DEAD_AFTER_MS + 500);
    expect(first.closedByClient).toBe(true);
    expect(log.at(-1)).toBe('dropped');
    expect(c.state).not.toBe('online');
    c.stop();
  });

  it('renews the token on the open socket before it expires', async () => {
    const t = fakeTransport();
    const { l } = listener();
    const start = Date.now();
    let token = 'jwt-0';
    let expiresAt = start + 10_000;
    const auth: TokenSource = {
      token: () => Promise.resolve(token),
      refresh: () => {
        token = 'jwt-1';
        expiresAt = Date.now() + 10_000;
        return Promise.resolve(token);
      },
      expiresAt: () => expiresAt,
    };
    const c = new MuxConnection({
      url: 'ws://x/sync',
      auth,
      transport: t.factory,
      listener: l,
      heartbeat: { pingAfterMs: 60_000, deadAfterMs: 120_000 },
    });
    c.start();
    await settle();
    t.last().events.open();
    await vi.advanceTimersByTimeAsync(6_600);
    expect(t.last().sent.filter((m) => m.type === 'auth')).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(t.last().sent.filter((m) => m.type === 'auth')).toEqual([{ type: 'auth', token: 'jwt-1' }]);
    expect(t.sockets).toHaveLength(1);
    c.stop();
  });
});
