/**
 * An error in the shape @tus/server turns into a response (`status_code`, `body`), as an Error.
 */
import { API_ERRORS } from '@caucus/schema';
import type { ApiError } from '../errors.js';

export class TusError extends Error {
  readonly status_code: number;
  readonly body: string;
  /** For a 429: sent as `Retry-After` (tus answers carry no headers of ours, so `tus.ts` adds it). */
  readonly retryAfterSeconds: number | undefined;

  constructor(statusCode: number, body: string, retryAfterSeconds?: number) {
    super(body.trim());
    this.name = 'TusError';
    this.status_code = statusCode;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** One of @tus/server's own `ERRORS` entries. */
  static of(known: { status_code: number; body: string }): TusError {
    return new TusError(known.status_code, known.body);
  }

  /** An API error, with the API's JSON body. */
  static fromApi(err: ApiError): TusError {
    return new TusError(
      API_ERRORS[err.code],
      JSON.stringify({ error: { code: err.code, message: err.message } }),
      err.retryAfterSeconds,
    );
  }
}
