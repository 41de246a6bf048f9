/**
 * What the sync connection and the HTTP calls need from authentication: a current access token,
 * and a new one when the server refused the last. Sessions (signup/login with refresh tokens,
 * refreshes serialised across tabs and processes) and API tokens both provide it.
 */
export interface TokenSource {
  /** A current access token; refreshed first when it is about to expire. */
  token(): Promise<string>;
  /**
   * The server refused `rejected` (HTTP 401, close code 4401): a new token, or an
   * {@link AuthRequired} error when the user must sign in again.
   */
  refresh(rejected: string): Promise<string>;
  /** When the current access token expires (ms since the epoch), or null (API tokens, unknown). */
  expiresAt(): number | null;
}

/** No usable credentials: the user must sign in (again). */
export class AuthRequired extends Error {
  override name = 'AuthRequired';
  readonly code = 'auth-required';
}

/** A token that never changes (an API token, `cau_…`): refreshing cannot help. */
export function staticToken(token: string): TokenSource {
  return {
    token: () => Promise.resolve(token),
    refresh: () => Promise.reject(new AuthRequired('the token was refused')),
    expiresAt: () => null,
  };
}
