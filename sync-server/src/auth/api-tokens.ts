/**
 * API tokens (DESIGN §5): long-lived `cau_…` credentials for scripts and the command line —
 * creating, listing and revoking them, and authenticating a request made with one.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { newId, tables, type ApiTokenId, type UserId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { prepareUserById, type UserById } from './accounts.js';
import type { ApiTokenInfo, NewApiToken, Principal, RevokedCredential } from './principal.js';
import { formatApiToken, hashSecret, newSecret, parseApiToken, secretMatches } from './tokens.js';

const { apiTokens } = tables;

/** `lastUsedAt` of an API token is refreshed at most this often, so reads do not all become writes. */
const API_TOKEN_TOUCH_MS = 60_000;
const DAY_MS = 86_400_000;

export class ApiTokens {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #revoked: (credential: RevokedCredential) => void;
  /** The lookups every API-token check makes, prepared once. */
  readonly #userById: UserById;
  readonly #tokenById: ReturnType<typeof prepareTokenById>;

  constructor(options: { db: Db; now: () => number; revoked: (credential: RevokedCredential) => void }) {
    this.#db = options.db;
    this.#now = options.now;
    this.#revoked = options.revoked;
    this.#userById = prepareUserById(options.db);
    this.#tokenById = prepareTokenById(options.db);
  }

  create(userId: UserId, name: string, expiresInDays?: number): NewApiToken {
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
  list(userId: UserId): ApiTokenInfo[] {
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
  revoke(userId: UserId, id: ApiTokenId): void {
    const row = this.#db
      .select({ revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)))
      .get();
    if (!row) throw new ApiError('not-found', 'API token not found');
    if (row.revokedAt === null) {
      this.#db.update(apiTokens).set({ revokedAt: this.#now() }).where(eq(apiTokens.id, id)).run();
      this.#revoked({ userId, apiTokenId: id });
    }
  }

  /** The principal of a live API token; `unauthorized` or `token-expired` otherwise. */
  authenticate(token: string): Principal {
    const parsed = parseApiToken(token);
    const row = parsed && this.#tokenById.get({ id: parsed.id });
    // The secret is checked before anything else is revealed about the token (revoked, expired).
    if (!parsed || !row || !secretMatches(parsed.secret, row.tokenHash) || row.revokedAt !== null) {
      throw new ApiError('unauthorized', 'invalid API token');
    }
    const now = this.#now();
    if (row.expiresAt !== null && row.expiresAt <= now)
      throw new ApiError('token-expired', 'API token expired');
    const user = this.#userById.get({ id: row.userId });
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
}

function prepareTokenById(db: Db) {
  return db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.id, sql.placeholder('id')))
    .prepare();
}
