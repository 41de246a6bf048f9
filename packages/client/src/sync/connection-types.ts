/** The connection's plain-data side: its state, the options it takes, the listener it calls. */
import type { MuxServerMessage } from '@caucus/schema';
import type { TokenSource } from '../auth/token-source.js';
import type { TransportFactory } from './transport.js';

export type ConnectionState = 'offline' | 'connecting' | 'online';

export interface ConnectionProblem {
  /** `auth-required`: the credentials were refused and cannot be renewed. */
  code: 'auth-required';
  message: string;
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** Why the client stopped trying, when it did. */
  problem: ConnectionProblem | null;
  /** When the next attempt is due (ms since the epoch), while waiting for one. */
  retryAt: number | null;
}

export interface HeartbeatOptions {
  /** Send a ping after this long without hearing from the server (ms). */
  pingAfterMs: number;
  /** Give the socket up after this long without hearing from the server (ms). */
  deadAfterMs: number;
}

export interface ConnectionListener {
  /** The socket is open: send what the server must know (the subscribe frame). */
  opened(): void;
  frame(message: MuxServerMessage): void;
  /** The socket is gone (it was open before). */
  dropped(): void;
}

export interface ConnectionOptions {
  url: string;
  auth: TokenSource;
  transport: TransportFactory;
  listener: ConnectionListener;
  heartbeat?: Partial<HeartbeatOptions>;
  backoff?: { baseMs?: number; capMs?: number };
  random?: () => number;
  now?: () => number;
}
