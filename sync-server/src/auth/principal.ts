/** What authentication establishes and hands out: principals, sessions, API tokens, revocations. */
import type { ApiTokenId, SessionId, UserId } from '@caucus/schema';

/** Who is making a request, as established from an access token or an API token. */
export interface Principal {
  userId: UserId;
  name: string;
  email: string;
  via: 'session' | 'api-token';
  sessionId?: SessionId;
  apiTokenId?: ApiTokenId;
  /** ms since epoch, or null for tokens that do not expire */
  expiresAt: number | null;
}

export interface PublicUser {
  id: UserId;
  email: string;
  name: string;
  createdAt: number;
}

/** What signup, login and refresh return: the user and a fresh token pair. */
export interface AuthSession {
  user: PublicUser;
  accessToken: string;
  refreshToken: string;
}

export interface ApiTokenInfo {
  id: ApiTokenId;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

/** A newly made API token; `token` is shown this once and never stored. */
export interface NewApiToken {
  id: ApiTokenId;
  name: string;
  token: string;
  createdAt: number;
  expiresAt: number | null;
}

/**
 * Credentials that stopped working before their expiry (logout, refresh-token reuse, API token
 * revocation), so open sync connections that were authenticated with them can be closed.
 */
export type RevokedCredential =
  | { userId: UserId; sessionId: SessionId; apiTokenId?: never }
  | { userId: UserId; apiTokenId: ApiTokenId; sessionId?: never };
