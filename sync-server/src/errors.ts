import { API_ERRORS, type ApiErrorCode } from '@caucus/schema';

export interface ApiErrorOptions {
  /** Sent as `Retry-After` (seconds): when a refused request (429, 503) may be tried again. */
  retryAfterSeconds?: number;
}

/** The one error type of the HTTP boundary: a code from `API_ERRORS` and a message for people. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: (typeof API_ERRORS)[ApiErrorCode];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
