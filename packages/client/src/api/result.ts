/**
 * Errors of the HTTP API as values: what every call of the client's API layer returns instead of
 * throwing. `code` is the server's own (`{ error: { code } }`, `schema/src/errors.ts`), or one of
 * the client's for failures without an answer.
 */

/** Failures the client names itself, beside the server's API error codes. */
export const API_CLIENT_ERROR_CODES = [
  /** No answer: the server is down, unreachable, or the request timed out. */
  'network',
  /** An answer that is not what the API documents (not JSON, wrong shape). */
  'bad-response',
  /** No usable credentials: sign in (again). */
  'auth-required',
] as const;
export type ApiClientErrorCode = (typeof API_CLIENT_ERROR_CODES)[number];

export interface ApiFailure {
  /** The server's error code (`forbidden`, `not-found`, …), `http-<status>` when it sent none, or a {@link ApiClientErrorCode}. */
  code: string;
  message: string;
  /** The HTTP status, or null when there was no answer. */
  status: number | null;
  /** Seconds to wait before trying again, from `Retry-After` (429, 503). */
  retryAfterSeconds?: number;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiFailure };

export const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });
export const fail = <T = never>(error: ApiFailure): ApiResult<T> => ({ ok: false, error });

/** Whether trying the same request again later may succeed: no answer, 5xx, 429. */
export function isRetryable(error: ApiFailure): boolean {
  return error.status === null ? error.code === 'network' : error.status >= 500 || error.status === 429;
}

/** A thrown form of an {@link ApiFailure}, for callers that prefer exceptions (the CLI's commands). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: string;
  readonly status: number | null;

  constructor(failure: ApiFailure) {
    super(failure.message);
    this.code = failure.code;
    this.status = failure.status;
  }
}

/** The value of `result`, or its failure thrown as an {@link ApiError}. */
export function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}
