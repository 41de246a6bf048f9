/**
 * What a Caucus client is made from: the options `createClient` takes, and the shape of a part
 * (the intent outbox, uploads) that attaches to a client and joins its status, flush and close.
 */
import type { UserId } from '@caucus/schema';
import type { TokenSource } from './auth/token-source.js';
import type { OutboxStatus } from './client-status.js';
import type { Observable } from './observable.js';
import type { ClientStorage } from './storage/types.js';
import type { HeartbeatOptions } from './sync/connection.js';
import type { TransportFactory } from './sync/transport.js';

export interface ClientOptions {
  /** The server's http(s) origin; sync goes to ws(s)://…/sync. */
  url: string;
  auth: TokenSource;
  /** Where documents and refused changes are kept; memory when omitted. */
  storage?: ClientStorage;
  /** The user the client writes as; asked from `GET /api/me` (and remembered) when omitted. */
  user?: UserId;
  /** How sockets are opened: the global WebSocket unless given (`@caucus/client/node` passes `ws`). */
  transport?: TransportFactory;
  heartbeat?: Partial<HeartbeatOptions>;
  backoff?: { baseMs?: number; capMs?: number };
  /** Don't connect until `connect()` is called (tests; apps that start offline on purpose). */
  offline?: boolean;
  /**
   * Share edits with the other tabs of this browser over a BroadcastChannel of this name: on by
   * default with `indexedDbStorage()` (`caucus:<origin>`), `false` to turn it off.
   */
  tabs?: string | false;
  /**
   * All tabs of this origin share one WebSocket (Web Locks + BroadcastChannel): one tab leads and
   * holds the connection, the others sync their documents through it, and when the leading tab
   * closes another takes over. Off by default; ignored where the browser lacks either API (and
   * in Node). Needs the tab channel (`tabs` not `false`).
   */
  sharedConnection?: boolean;
}

/** A part of the client that other modules add: the intent outbox, uploads. */
export interface ClientPart {
  /** What the outbox reports into the client's status. */
  status?: Observable<OutboxStatus>;
  /** Part of `client.flush()`: resolves once this part has sent everything. */
  flush?(): Promise<void>;
  close?(): Promise<void>;
}
