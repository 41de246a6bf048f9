import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { newId, tables, type ApiTokenId, type SessionId, type UserId } from '@caucus/schema';
import type { ServerConfig } from '../config.js';
import { ApiError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { Listeners } from '../listeners.js';
import { normalizeEmail, WorkspaceService } from '../workspaces/workspace-service.js';
import type { Metrics } from '../metrics.js';
import { authFailureReason } from './auth-failures.js';
import { passwordWeakness } from './password-strength.js';
import { DUMMY_PASSWORD_HASH, scryptHasher, type PasswordHasher } from './passwords.js';
import type {
  ApiTokenInfo,
  AuthSession,
  NewApiToken,
  Principal,
  PublicUser,
  RevokedCredential,
} from './principal.js';
import {
  accessTokenKey,
  formatApiToken,
  hashSecret,
  looksLikeApiToken,
  newSecret,
  parseApiToken,
  secretMatches,
  signAccessToken,
  verifyAccessToken,
} from './tokens.js';

const { apiTokens, refreshTokens, users } = tables;

export type {
  ApiTokenInfo,
  AuthSession,
  NewApiToken,
  Principal,
  PublicUser,
  RevokedCredential,
} from './principal.js';

export interface AuthServiceOptions {
  db: Db;
  config: ServerConfig;
  now?: () => number;
  /**
   * Provisions new users (their personal workspace). Pass the server's shared instance so its
   * membership listeners hear about new workspaces.
   */
  workspaces?: WorkspaceService;
  /** Where failing event listeners are reported. */
  logger?: Logger;
  /** scrypt through the process-wide hashing limit, unless a test watches the work. */
  passwords?: PasswordHasher;
  /** Where failed logins, refreshes and token checks are counted. */
  metrics?: Pick<Metrics, 'authFailures'>;
}

export interface SignupOptions {
  /** The address was proven (signing up through an invitation sent to it). */
  emailVerified?: boolean;
  /**
   * More writes inside the signup's transaction (accepting the invitation); a throw rolls the
   * signup back. What it returns runs once the transaction has committed.
   */
  within?: (user: PublicUser) => () => Promise<void>;
}

/** `lastUsedAt` of an API token is refreshed at most this often, so reads do not all become writes. */
const API_TOKEN_TOUCH_MS = 60_000;
const DAY_MS = 86_400_000;

export class AuthService {
  readonly #db: Db;
  /** The lookups every authentication makes (each sync upgrade, each API request), prepared once. */
  readonly #lookups: ReturnType<typeof prepareLookups>;
  readonly #config: ServerConfig;
  readonly #now: () => number;
  readonly #workspaces: WorkspaceService;
  readonly #key: Uint8Array;
  readonly #revoked: Listeners<RevokedCredential>;
  readonly #passwords: PasswordHasher;
  readonly #metrics: Pick<Metrics, 'authFailures'> | null;

  constructor({
    db,
    config,
    now = Date.now,
    workspaces,
    logger = createLogger('error'),
    passwords = scryptHasher,
    metrics,
  }: AuthServiceOptions) {
    this.#db = db;
    this.#lookups = prepareLookups(db);
    this.#config = config;
    this.#now = now;
    this.#workspaces = workspaces ?? new WorkspaceService({ db, now, logger });
    this.#key = accessTokenKey(config.jwtSecret);
    this.#revoked = new Listeners((err) => logger.error({ err }, 'revocation listener failed'));
    this.#passwords = passwords;
    this.#metrics = metrics ?? null;
  }

  /** Listens for sessions and API tokens revoked before their expiry. */
  onRevoked(listener: (e: RevokedCredential) => void): () => void {
    return this.#revoked.add(listener);
  }

  /**
   * Creates the user and their personal workspace, and logs in. `weak-password` for a password
   * among the first an attacker would try; `email-taken` only after the same work as a new account
   * (the strength check and the hash), so the time of the answer does not tell which it was.
   */
  async signup(
    input: { email: string; password: string; name: string },
    options: SignupOptions = {},
  ): Promise<AuthSession> {
    const email = normalizeEmail(input.email);
    const weakness = await passwordWeakness(input.password, [email, email.split('@')[0] ?? '', input.name]);
    if (weakness) throw new ApiError('weak-password', `choose a stronger password: ${weakness}`);
    const passwordHash = await this.#passwords.hash(input.password);
    const createdAt = this.#now();
    const user: PublicUser = { id: newId<UserId>(createdAt), email, name: input.name, createdAt };
    const { provisioned, committed } = this.#db.transaction((tx) => {
      if (this.#userByEmail(email)) throw emailTaken();
      tx.insert(users)
        .values({ ...user, passwordHash, emailVerifiedAt: options.emailVerified ? createdAt : null })
        .run();
      return { provisioned: this.#workspaces.provisionUser(user), committed: options.within?.(user) };
    });
    provisioned.announce();
    await committed?.();
    return this.#startSession(user);
  }

  /** `invalid-credentials` for an unknown email and a wrong password alike, after the same work. */
  async login(input: { email: string; password: string }): Promise<AuthSession> {
    return this.#counted(() => this.#login(input));
  }

  async #login(input: { email: string; password: string }): Promise<AuthSession> {
    const row = this.#userByEmail(normalizeEmail(input.email));
    const ok = await this.#passwords.verify(input.password, row?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!row || !ok) throw new ApiError('invalid-credentials', 'wrong email or password');
    return this.#startSession(toPublicUser(row));
  }

  /**
   * Rotates a refresh token: the presented one is marked used and a new one of the same family is
   * issued. A used or revoked token presented again means it was copied, so the whole family
   * (that login, on every device holding it) is revoked.
   */
  async refresh(refreshToken: string): Promise<AuthSession> {
    return this.#counted(() => this.#refresh(refreshToken));
  }

  async #refresh(refreshToken: string): Promise<AuthSession> {
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
          if (outcome.revoked) this.#revoked.emit(outcome.revoked);
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
      this.#revoked.emit({ userId: row.userId, sessionId: row.familyId });
    }
  }

  /** Accepts an access JWT or an API token (`cau_…`); throws `unauthorized` or `token-expired`. */
  async authenticate(token: string): Promise<Principal> {
    return this.#counted(async () =>
      looksLikeApiToken(token) ? this.#authenticateApiToken(token) : this.#authenticateAccessToken(token),
    );
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

  /** Runs `work`, counting the auth failure it throws, if it is one. */
  async #counted<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const reason = err instanceof ApiError ? authFailureReason(err.code) : null;
      if (reason) this.#metrics?.authFailures.inc({ reason });
      throw err;
    }
  }

  getUser(userId: UserId): PublicUser {
    const row = this.#db.select().from(users).where(eq(users.id, userId)).get();
    if (!row) throw new ApiError('unauthorized', 'unknown user');
    return toPublicUser(row);
  }

  createApiToken(userId: UserId, name: string, expiresInDays?: number): NewApiToken {
    const createdAt = this.#now();
    const id = newId<ApiTokenId>(createdAt);
    const secret = newSecret();
    const expiresAt = expiresInDays === undefined ? null : createdAt + expiresInDays * DAY_MS;
    this.#db
      .insert(apiTokens)
      .values({ id, userId, name, tokenHash: hashSecret(secret), createdAt, expiresAt })
      .run();
    return { id, name, token: formatApiToken(id, secret), createdAt, expiresAt };
  }

  /** The user's API tokens that were not revoked (expired ones included), oldest first. */
  listApiTokens(userId: UserId): ApiTokenInfo[] {
    return this.#db
      .select({
        id: apiTokens.id,
        name: apiTokens.name,
        createdAt: apiTokens.createdAt,
        lastUsedAt: apiTokens.lastUsedAt,
        expiresAt: apiTokens.expiresAt,
      })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
      .all();
  }

  /** `not-found` unless the token is the user's; revoking twice is fine. */
  revokeApiToken(userId: UserId, id: ApiTokenId): void {
    const row = this.#db
      .select({ revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)))
      .get();
    if (!row) throw new ApiError('not-found', 'API token not found');
    if (row.revokedAt === null) {
      this.#db.update(apiTokens).set({ revokedAt: this.#now() }).where(eq(apiTokens.id, id)).run();
      this.#revoked.emit({ userId, apiTokenId: id });
    }
  }

  async #authenticateAccessToken(token: string): Promise<Principal> {
    const check = await verifyAccessToken(this.#key, token, this.#now());
    if (!check.ok) {
      throw check.reason === 'expired'
        ? new ApiError('token-expired', 'access token expired; refresh it')
        : new ApiError('unauthorized', 'invalid access token');
    }
    const { userId, sessionId, expiresAt } = check.claims;
    const revoked = this.#lookups.revokedInFamily.get({ familyId: sessionId });
    if (revoked) throw new ApiError('unauthorized', 'session ended');
    const user = this.#lookups.userById.get({ id: userId });
    if (!user) throw new ApiError('unauthorized', 'invalid access token');
    return { userId, name: user.name, email: user.email, via: 'session', sessionId, expiresAt };
  }

  #authenticateApiToken(token: string): Principal {
    const parsed = parseApiToken(token);
    const row = parsed && this.#lookups.apiTokenById.get({ id: parsed.id });
    // The secret is checked before anything else is revealed about the token (revoked, expired).
    if (!parsed || !row || !secretMatches(parsed.secret, row.tokenHash) || row.revokedAt !== null) {
      throw new ApiError('unauthorized', 'invalid API token');
    }
    const now = this.#now();
    if (row.expiresAt !== null && row.expiresAt <= now)
      throw new ApiError('token-expired', 'API token expired');
    const user = this.#lookups.userById.get({ id: row.userId });
    if (!user) throw new ApiError('unauthorized', 'invalid API token');
    if (row.lastUsedAt === null || now - row.lastUsedAt >= API_TOKEN_TOUCH_MS) {
      this.#db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
    }
    return {
      userId: user.id,
      name: user.name,
      email: user.email,
      via: 'api-token',
      apiTokenId: row.id,
      expiresAt: row.expiresAt,
    };
  }

  async #startSession(user: PublicUser): Promise<AuthSession> {
    const now = this.#now();
    const familyId = newId<SessionId>(now);
    const refreshToken = this.#insertRefreshToken(user.id, familyId, now);
    const accessToken = await this.#signAccess(user, familyId, now);
    return { user, accessToken, refreshToken };
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

  #userByEmail(email: string) {
    return this.#db.select().from(users).where(eq(users.email, email)).get();
  }
}

function toPublicUser(row: typeof users.$inferSelect): PublicUser {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.createdAt };
}

function emailTaken(): ApiError {
  return new ApiError('email-taken', 'an account with that email already exists');
}

function prepareLookups(db: Db) {
  return {
    userById: db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(),
    // Logout and reuse detection revoke every row of the family, so one revoked row is enough to know.
    revokedInFamily: db
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.familyId, sql.placeholder('familyId')), isNotNull(refreshTokens.revokedAt)))
      .limit(1)
      .prepare(),
    apiTokenById: db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.id, sql.placeholder('id')))
      .prepare(),
  };
}
