/**
 * The open sync connections and multiplexed sockets, and what acts on them by identity: counting
 * and logging them, re-evaluating their access after a role change (`reauthorize`), closing them on
 * revocation (`closeWhere`) and at shutdown. Which room a connection is in is the hub's business.
 */
import { CLOSE_CODES, type Access, type DocRef, type Refusal, type UserId } from '@caucus/schema';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { SessionIdentity } from './connection-info.js';
import type { Connection } from './connection.js';

/**
 * A socket that carries connections of its own (a multiplexed socket): it must be closed on
 * revocation and shutdown even while it holds no document.
 */
export interface HubSession {
  readonly info: SessionIdentity;
  close(code: number, reason: string): void;
}

/** WebSocket close code 1000. */
const NORMAL_CLOSURE = 1000;

const SHUTDOWN = [CLOSE_CODES.goingAway, 'server-shutdown'] as const;

export class ConnectionRegistry {
  private readonly connections = new Set<Connection>();
  private readonly sessions = new Set<HubSession>();
  private stopped = false;

  constructor(private readonly options: { logger: Logger; metrics: Metrics }) {}

  get size(): number {
    return this.connections.size;
  }

  /** Registers a multiplexed socket (see HubSession); once stopped, closes it at once instead. */
  track(session: HubSession): void {
    if (this.stopped) queueMicrotask(() => session.close(...SHUTDOWN));
    else this.sessions.add(session);
  }

  untrack(session: HubSession): void {
    this.sessions.delete(session);
  }

  /** Registers a new connection; once stopped, closes it with 1001 instead and returns false. */
  add(conn: Connection): boolean {
    if (this.stopped) {
      conn.close(...SHUTDOWN);
      return false;
    }
    this.connections.add(conn);
    this.options.metrics.connections.inc();
    return true;
  }

  /** A connection closed (`code` null: by the client); false when it was not registered. */
  remove(conn: Connection, code: number | null, reason: string): boolean {
    if (!this.connections.delete(conn)) return false;
    const { metrics, logger } = this.options;
    metrics.connections.dec();
    if (code !== null) {
      metrics.closedConnections.inc({ code: String(code) });
      // 1000: a multiplexed unsubscribe, which is nothing to log.
      if (code !== CLOSE_CODES.goingAway && code !== NORMAL_CLOSURE) {
        logger.info(
          { doc: conn.info.docName, user: conn.info.userId, code, reason },
          'connection closed by server',
        );
      }
    }
    return true;
  }

  refused(conn: Connection, refusal: Refusal): void {
    this.options.metrics.refusedUpdates.inc({ reason: refusal.code });
    this.options.logger.info(
      { doc: conn.info.docName, user: conn.info.userId, code: refusal.code },
      'update refused',
    );
  }

  failed(conn: Connection, err: unknown): void {
    this.options.logger.error(
      { err, doc: conn.info.docName, user: conn.info.userId },
      'failed to serve a message',
    );
  }

  /** Re-evaluates what `userId`'s open connections may do (after a role change or removal). */
  reauthorize(userId: UserId, accessFor: (ref: DocRef) => Access): void {
    for (const conn of [...this.connections]) {
      if (conn.info.userId === userId) conn.setAccess(accessFor(conn.info.ref));
    }
  }

  /** Closes every socket and connection matching `filter` (e.g. a revoked session). */
  closeWhere(filter: (info: SessionIdentity) => boolean, code: number, reason: string): void {
    for (const session of [...this.sessions]) if (filter(session.info)) session.close(code, reason);
    for (const conn of [...this.connections]) if (filter(conn.info)) conn.close(code, reason);
  }

  /** From now on, new connections and sockets are closed with 1001 as they arrive. */
  stop(): void {
    this.stopped = true;
  }

  /** Closes every connection, then every multiplexed socket, with 1001 (shutdown). */
  closeAll(): void {
    for (const conn of [...this.connections]) conn.close(...SHUTDOWN);
    for (const session of [...this.sessions]) session.close(...SHUTDOWN);
  }
}
