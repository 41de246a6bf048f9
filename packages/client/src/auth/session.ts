/**
 * Signed-in sessions (signup, login, refresh, logout) as a {@link TokenSource}: the access token
 * is refreshed shortly before it expires and whenever the server refuses it (HTTP 401, close code
 * 4401), and every refresh runs under the store's exclusive lock after re-reading the store, so
 * tabs and processes sharing the tokens never present one refresh token twice (which would
 * revoke the session everywhere).
 */
import { Http, type Fetch } from '../api/http.js';
import { fail, ok, type ApiFailure, type ApiResult } from '../api/result.js';
import { sessionShape, type SessionAnswer } from '../api/shapes.js';
import { accessTokenTimes, type SessionStore, type StoredSession } from './session-store.js';
import { AuthRequired, type TokenSource } from './token-source.js';

/** Refresh when less than this share of the access token's lifetime is left… */
const REFRESH_AT_LIFETIME_SHARE = 0.25;
/** …or less than this, whichever comes first (a 15-minute token refreshes a minute early). */
const REFRESH_MARGIN_MAX_MS = 60_000;

export interface SessionOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8787`. */
  url: string;
  store: SessionStore;
  fetch?: Fetch;
  now?: () => number;
}

/** A failure of a refresh that may pass (no answer, 5xx): the session is kept. */
export class RefreshFailed extends Error {
  override name = 'RefreshFailed';
  readonly code: string;
  readonly status: number | null;

  constructor(failure: ApiFailure) {
    super(failure.message);
    this.code = failure.code;
    this.status = failure.status;
  }
}

export class SessionAuth implements TokenSource {
  readonly url: string;
  readonly #store: SessionStore;
  readonly #http: Http;
  readonly #now: () => number;
  #current: StoredSession;
  #refreshing: Promise<string> | null = null;

  constructor(session: StoredSession, options: SessionOptions) {
    this.url = session.url;
    this.#current = session;
    this.#store = options.store;
    this.#http = new Http({
      url: session.url,
      auth: null,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.#now = options.now ?? Date.now;
  }

  get user(): StoredSession['user'] {
    return this.#current.user;
  }

  async token(): Promise<string> {
    const { accessToken, accessExpiresAt, accessIssuedAt } = this.#current;
    const lifetime = Math.max(0, accessExpiresAt - accessIssuedAt);
    const margin = Math.min(REFRESH_MARGIN_MAX_MS, lifetime * REFRESH_AT_LIFETIME_SHARE);
    if (accessExpiresAt - this.#now() > margin) return accessToken;
    return this.refresh(accessToken);
  }

  refresh(rejected: string): Promise<string> {
    this.#refreshing ??= this.#store
      .exclusive(() => this.#refreshLocked(rejected))
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  expiresAt(): number {
    return this.#current.accessExpiresAt;
  }

  /** Ends the session on the server (best effort when offline) and forgets the tokens here. */
  async logout(): Promise<ApiResult<void>> {
    const session = (await this.#store.load()) ?? this.#current;
    const res = await this.#http.post<void>('/api/auth/logout', {
      body: { refreshToken: session.refreshToken },
    });
    await this.#store.clear();
    return res;
  }

  async #refreshLocked(rejected: string): Promise<string> {
    const stored = await this.#store.load();
    if (!stored || stored.url !== this.url || stored.user.id !== this.#current.user.id) {
      throw new AuthRequired('signed out');
    }
    // Someone sharing the store (another tab or process) refreshed while we waited for the lock.
    // Compared by refresh token too: two access tokens issued in the same second are identical.
    const rotated = stored.refreshToken !== this.#current.refreshToken || stored.accessToken !== rejected;
    if (rotated && stored.accessExpiresAt > this.#now()) {
      this.#current = stored;
      return stored.accessToken;
    }
    const res = await this.#http.post('/api/auth/refresh', {
      body: { refreshToken: stored.refreshToken },
      schema: sessionShape,
    });
    if (!res.ok) {
      if (
        res.error.status !== null &&
        res.error.status >= 400 &&
        res.error.status < 500 &&
        res.error.status !== 429
      ) {
        // Used, revoked or expired: that login is over; keeping it would only repeat the refusal.
        await this.#store.clear();
        throw new AuthRequired(`the session ended (${res.error.code}); log in again`);
      }
      throw new RefreshFailed(res.error);
    }
    const next = toStored(this.url, res.value);
    if (!next.ok) throw new RefreshFailed(next.error);
    await this.#store.save(next.value);
    this.#current = next.value;
    return next.value.accessToken;
  }
}

/** Creates an account (and its personal workspace) and signs in. */
export function signUp(
  input: { email: string; password: string; name: string },
  options: SessionOptions,
): Promise<ApiResult<SessionAuth>> {
  return start('/api/auth/signup', input, options);
}

export function logIn(
  input: { email: string; password: string },
  options: SessionOptions,
): Promise<ApiResult<SessionAuth>> {
  return start('/api/auth/login', input, options);
}

/** The session kept in `options.store` for this server, or null when there is none. */
export async function resumeSession(options: SessionOptions): Promise<SessionAuth | null> {
  const stored = await options.store.load();
  if (!stored || stored.url !== normalizeUrl(options.url)) return null;
  return new SessionAuth(stored, options);
}

async function start(path: string, body: object, options: SessionOptions): Promise<ApiResult<SessionAuth>> {
  const url = normalizeUrl(options.url);
  const http = new Http({ url, auth: null, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const res = await http.post(path, { body, schema: sessionShape });
  if (!res.ok) return res;
  const stored = toStored(url, res.value);
  if (!stored.ok) return stored;
  await options.store.exclusive(() => options.store.save(stored.value));
  return ok(new SessionAuth(stored.value, { ...options, url }));
}

function toStored(url: string, answer: SessionAnswer): ApiResult<StoredSession> {
  const times = accessTokenTimes(answer.accessToken);
  if (!times)
    return fail({ code: 'bad-response', message: 'the access token carries no expiry', status: null });
  const { id, email, name } = answer.user;
  return ok({
    url,
    user: { id, email, name },
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    accessExpiresAt: times.expiresAt,
    accessIssuedAt: times.issuedAt,
  });
}

/** `http://host:port` without a trailing slash or path: what sessions are keyed by. */
export function normalizeUrl(url: string): string {
  return new URL(url).origin;
}
