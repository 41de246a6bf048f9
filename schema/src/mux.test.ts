import { describe, expect, it } from 'vitest';
import {
  MalformedMuxFrame,
  decodeMuxClient,
  decodeMuxServer,
  encodeMuxClient,
  encodeMuxServer,
  type MuxClientMessage,
  type MuxServerMessage,
} from './mux.js';

const client: MuxClientMessage[] = [
  {
    type: 'subscribe',
    docs: [
      { doc: 'thread:a', acks: true, stateVector: new Uint8Array([1, 2, 3]) },
      { doc: 'inbox:b', acks: false, stateVector: new Uint8Array([0]) },
    ],
  },
  { type: 'unsubscribe', docs: ['thread:a', 'inbox:b'] },
  { type: 'doc', doc: 'thread:a', message: new Uint8Array([0, 0, 1, 0]) },
  { type: 'ping', id: 42 },
  { type: 'auth', token: 'eyJ.x.y' },
];

const server: MuxServerMessage[] = [
  { type: 'subscribed', doc: 'thread:a', access: 'write' },
  { type: 'closed', doc: 'thread:a', code: 4403, reason: 'access-revoked' },
  { type: 'doc', doc: 'thread:a', message: new Uint8Array([100, 1, 0]) },
  { type: 'pong', id: 7 },
  { type: 'access', doc: 'thread:a', access: 'read' },
  { type: 'authed', expiresAt: 1_800_000_000_000 },
  { type: 'authed', expiresAt: null },
];

describe('mux codec', () => {
  it.each(client)('round-trips a client $type frame', (m) => {
    expect(decodeMuxClient(encodeMuxClient(m))).toEqual(m);
  });

  it.each(server)('round-trips a server $type frame', (m) => {
    expect(decodeMuxServer(encodeMuxServer(m))).toEqual(m);
  });

  it('refuses unknown types, truncated frames, empty document messages and overlong lists', () => {
    expect(() => decodeMuxClient(new Uint8Array([9]))).toThrow(MalformedMuxFrame);
    expect(() => decodeMuxClient(new Uint8Array([0, 5]))).toThrow(MalformedMuxFrame);
    expect(() =>
      decodeMuxClient(encodeMuxClient({ type: 'doc', doc: 'x', message: new Uint8Array() })),
    ).toThrow(MalformedMuxFrame);
    const many = encodeMuxClient({ type: 'unsubscribe', docs: ['a', 'b', 'c'] });
    expect(() => decodeMuxClient(many, 2)).toThrow(/at most 2/);
    expect(() => decodeMuxServer(new Uint8Array([0, 1, 0x61, 4, 0x6e, 0x6f, 0x6e, 0x65]))).toThrow(
      MalformedMuxFrame,
    );
  });
});
