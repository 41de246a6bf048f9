/**
 * Authentication as the routes and the sync transport see it (DESIGN §5): one service over the
 * concept modules — accounts (signup, login, users) `accounts.ts`, sessions and refresh rotation
 * `sessions.ts`, API tokens `api-tokens.ts` — that also counts failed attempts and announces
 * revoked credentials. Throttling of attempts is `throttle.ts`.
 */
import type { ApiTokenId, UserId } from '@caucus/schema';
import type { ServerConfig } from '../config.js';
import { ApiError } from '../errors.js';
import { Listeners } from '../listeners.js';
import { createLogger, type Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';
import { WorkspaceService } from '../workspaces/workspace-service.js';
import { Accounts, type SignupOptions } from './accounts.js';
import { ApiTokens } from './api-tokens.js';
import { authFailureReason } from './auth-failures.js';
import { scryptHasher, type PasswordHasher } from './passwords.js';
import type {
  ApiTokenInfo,
  AuthSession,
  NewApiToken,
  Principal,
  PublicUser,
  RevokedCredential,
} from './principal.js';
import { Sessions } from './sessions.js';
import { accessTokenKey, looksLikeApiToken } from './tokens.js';

export type {
  ApiTokenInfo,
  AuthSession,
  NewApiToken,
  Principal,
  PublicUser,
  RevokedCredential,
} from './principal.js';
export type { SignupOptions } from './accounts.js';

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

export class AuthService {
  readonly #accounts: Accounts;
  readonly #sessions: Sessions;
  readonly #apiTokens: ApiTokens;
  readonly #revoked: Listeners<RevokedCredential>;
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
    this.#revoked = new Listeners((err) => logger.error({ err }, 'revocation listener failed'));
    const revoked = (credential: RevokedCredential) => this.#revoked.emit(credential);
    this.#accounts = new Accounts({
      db,
      now,
      workspaces: workspaces ?? new WorkspaceService({ db, now, logger }),
      passwords,
    });
    this.#sessions = new Sessions({ db, config, now, key: accessTokenKey(config.jwtSecret), revoked });
    this.#apiTokens = new ApiTokens({ db, now, revoked });
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
    const user = await this.#accounts.create(input, options);
    return this.#sessions.start(user);
  }

  /** `invalid-credentials` for an unknown email and a wrong password alike, after the same work. */
  async login(input: { email: string; password: string }): Promise<AuthSession> {
    return this.#counted(async () => this.#sessions.start(await this.#accounts.checkLogin(input)));
  }

  /**
   * Rotates a refresh token: the presented one is marked used and a new one of the same family is
   * issued. A used or revoked token presented again means it was copied, so the whole family
   * (that login, on every device holding it) is revoked.
   */
  async refresh(refreshToken: string): Promise<AuthSession> {
    return this.#counted(() => this.#sessions.refresh(refreshToken));
  }

  /** Ends the session the refresh token belongs to; its access tokens stop working too. Idempotent. */
  logout(refreshToken: string): void {
    this.#sessions.logout(refreshToken);
  }

  /** Accepts an access JWT or an API token (`cau_…`); throws `unauthorized` or `token-expired`. */
  async authenticate(token: string): Promise<Principal> {
    return this.#counted(async () =>
      looksLikeApiToken(token) ? this.#apiTokens.authenticate(token) : this.#sessions.authenticate(token),
    );
  }

  /** The user a refresh token belongs to, used or not; null for an unknown one. For throttling. */
  refreshTokenOwner(refreshToken: string): UserId | null {
    return this.#sessions.refreshTokenOwner(refreshToken);
  }

  getUser(userId: UserId): PublicUser {
    return this.#accounts.get(userId);
  }

  createApiToken(userId: UserId, name: string, expiresInDays?: number): NewApiToken {
    return this.#apiTokens.create(userId, name, expiresInDays);
  }

  /** The user's API tokens that were not revoked (expired ones included), oldest first. */
  listApiTokens(userId: UserId): ApiTokenInfo[] {
    return this.#apiTokens.list(userId);
  }

  /** `not-found` unless the token is the user's; revoking twice is fine. */
  revokeApiToken(userId: UserId, id: ApiTokenId): void {
    this.#apiTokens.revoke(userId, id);
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
}
