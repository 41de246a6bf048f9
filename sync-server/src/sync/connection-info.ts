/**
 * Who a sync connection is and what it was granted when it opened: the authenticated user (and the
 * login session or API token, which revocations match on), its document, its access, and what it
 * asked for. Filled in by the transports (ws-transport.ts, mux-session.ts) from the principal.
 */
import type { Access, ApiTokenId, DocName, DocRef, SessionId, UserId } from '@caucus/schema';

export interface ConnectionInfo {
  userId: UserId;
  name: string;
  docName: DocName;
  ref: DocRef;
  access: Access;
  /** Durable acks requested (`?acks=1`). */
  acks: boolean;
  /** When the token expires (ms since epoch), or null. */
  expiresAt: number | null;
  /** The login session or API token the connection authenticated with, to end it on revocation. */
  sessionId?: SessionId;
  apiTokenId?: ApiTokenId;
}

/** Who a socket authenticated as: what revocations match on. */
export type SessionIdentity = Pick<ConnectionInfo, 'userId' | 'sessionId' | 'apiTokenId'>;
