/**
 * Sessions (DESIGN §5): a login's family of refresh tokens, rotated at each refresh with reuse
 * detection (a used token presented again revokes the whole family), logout, and the short-lived
 * access JWTs that name the session and stop working once it is revoked.
 */
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { newId, tables, type SessionId, type UserId } from '@caucus/schema';
import type { ServerConfig } from '../config.js';
import { ApiError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { prepareUserById, type UserById, toPublicUser } from './accounts.js';
import type { AuthSession, Principal, PublicUser, RevokedCredential } from './principal.js';
import { hashSecret, newSecret, signAccessToken, verifyAccessToken } from './tokens.js';

const { refreshTokens, users } = tables;

export interface SessionsOptions {
  db: Db;
  config: ServerConfig;
  now: () => number;
  /** The access-token signing key (`accessTokenKey`). */
  key: Uint8Array;
  /** Told of a session revoked before its expiry. */
  revoked: (credential: RevokedCredential) => void;
}

export class Sessions {
  readonly #db: Db;
  readonly #config: ServerConfig;
  readonly #now: () => number;
  readonly #key: Uint8Array;
  readonly #revoked: (credential: RevokedCredential) => void;
  /** The lookups every access-token check makes (each sync upgrade, each API request), prepared once. */
  readonly #userById: UserById;
  readonly #revokedInFamily: ReturnType<typeof prepareRevokedInFamily>;

  constructor(options: SessionsOptions) {
    this.#db = options.db;
    this.#config = options.config;
    this.#now = options.now;
    this.#key = options.key;
    this.#revoked = options.revoked;
    this.#userById = prepareUserById(options.db);
    this.#revokedInFamily = prepareRevokedInFamily(options.db);
  }

  /** Starts a session for `user`: a new family, its first refresh token and an access token. */
  async start(user: PublicUser): Promise<AuthSession> {
    const now = this.#now();
    const familyId = newId<SessionId>(now);
    const refreshToken = this.#insertRefreshToken(user.id, familyId, now);
    const accessToken = await this.#signAccess(user, familyId, now);
    return { user, accessToken, refreshToken };
  }

  /**
   * Rotates a refresh token: the presented one is marked used and a new one of the same family is
   * issued. A used or revoked token presented again means it was copied, so the whole family
   * (that login, on every device holding it) is revoked.
   */
  async refresh(refreshToken: string): Promise<AuthSession> {
    const now = this.#now();
    const outcome = this.#db.transaction((tx) => {
      const row = tx
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashSecret(refreshToken)))
        .get();
      if (!row) return { error: 'unknown' } as const;
      if (row.usedAt !== null || row.revokedAt !== null) {
        const revoked = this.#revokeFamily(row.familyId, now);
        return {
          error: 'reused',
          revoked: revoked ? { userId: row.userId, sessionId: row.familyId } : null,
        } as const;
      }
      if (row.expiresAt <= now) return { error: 'expired' } as const;
      const user = tx.select().from(users).where(eq(users.id, row.userId)).get();
      if (!user) return { error: 'unknown' } as const;
      tx.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, row.id)).run();
      const next = this.#insertRefreshToken(user.id, row.familyId, now);
      return { user: toPublicUser(user), familyId: row.familyId, refreshToken: next } as const;
    });
    // Errors are thrown after the transaction: a revocation must commit, not roll back with the throw.
    if ('error' in outcome) {
      switch (outcome.error) {
        case 'reused':
          if (outcome.revoked) this.#revoked(outcome.revoked);
          throw new ApiError('refresh-token-reused', 'refresh token already used; the session was revoked');
        case 'expired':
          throw new ApiError('token-expired', 'refresh token expired; log in again');
        case 'unknown':
          throw new ApiError('unauthorized', 'invalid refresh token');
      }
    }
    const accessToken = await this.#signAccess(outcome.user, outcome.familyId, now);
    return { user: outcome.user, accessToken, refreshToken: outcome.refreshToken };
  }

  /** Ends the session the refresh token belongs to; its access tokens stop working too. Idempotent. */
  logout(refreshToken: string): void {
    const row = this.#db
      .select({ userId: refreshTokens.userId, familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashSecret(refreshToken)))
      .get();
    if (row && this.#revokeFamily(row.familyId, this.#now())) {
      this.#revoked({ userId: row.userId, sessionId: row.familyId });
    }
  }

  /** The user a refresh token belongs to, used or not; null for an unknown one. For throttling. */
  refreshTokenOwner(refreshToken: string): UserId | null {
    const row = this.#db
      .select({ userId: refreshTokens.userId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashSecret(refreshToken)))
      .get();
    return row?.userId ?? null;
  }

  /** The principal of an access JWT of a live session; `unauthorized` or `token-expired` otherwise. */
  async authenticate(token: string): Promise<Principal> {
    const check = await verifyAccessToken(this.#key, token, this.#now());
    if (!check.ok) {
      throw check.reason === 'expired'
        ? new ApiError('token-expired', 'access token expired; refresh it')
        : new ApiError('unauthorized', 'invalid access token');
    }
    const { userId, sessionId, expiresAt } = check.claims;
    const revoked = this.#revokedInFamily.get({ familyId: sessionId });
    if (revoked) throw new ApiError('unauthorized', 'session ended');
    const user = this.#userById.get({ id: userId });
    if (!user) throw new ApiError('unauthorized', 'invalid access token');
    return { userId, name: user.name, email: user.email, via: 'session', sessionId, expiresAt };
  }

  /** Stores a new refresh token of the family and returns its secret. */
  #insertRefreshToken(userId: UserId, familyId: SessionId, now: number): string {
    const secret = newSecret();
    this.#db
      .insert(refreshTokens)
      .values({
        id: newId(now),
        familyId,
        userId,
        tokenHash: hashSecret(secret),
        expiresAt: now + this.#config.refreshTokenTtlSeconds * 1000,
        createdAt: now,
      })
      .run();
    return secret;
  }

  async #signAccess(user: PublicUser, sessionId: SessionId, now: number): Promise<string> {
    const input = { userId: user.id, sessionId, name: user.name };
    const { token } = await signAccessToken(this.#key, input, now, this.#config.accessTokenTtlSeconds);
    return token;
  }

  /** True when the family was live until now. */
  #revokeFamily(familyId: SessionId, now: number): boolean {
    const result = this.#db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
      .run();
    return result.changes > 0;
  }
}

/** Logout and reuse detection revoke every row of the family, so one revoked row is enough to know. */
function prepareRevokedInFamily(db: Db) {
  return db
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.familyId, sql.placeholder('familyId')), isNotNull(refreshTokens.revokedAt)))
    .limit(1)
    .prepare();
}
