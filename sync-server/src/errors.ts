import { API_ERRORS, type ApiErrorCode } from '@caucus/schema';

/** The one error type of the HTTP boundary: a code from `API_ERRORS` and a message for people. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: (typeof API_ERRORS)[ApiErrorCode];

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code];
  }
}
