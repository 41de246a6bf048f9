/**
 * How an upload fails, as a value: an API error code from the server's JSON body, `network` when
 * there was no response, or `cancelled`.
 */
import type * as tus from 'tus-js-client';
import type { ApiErrorBody } from '@caucus/schema';

export interface UploadFailure {
  /** An API error code (`unsupported-file-type`, `quota-exceeded`, …), or `network` / `cancelled`. */
  code: string;
  message: string;
  /** The HTTP status, when there was a response. */
  status: number | null;
}

export class UploadFailed extends Error {
  readonly failure: UploadFailure;

  constructor(failure: UploadFailure) {
    super(failure.message);
    this.name = 'UploadFailed';
    this.failure = failure;
  }
}

export function toFailure(err: unknown): UploadFailure {
  if (err instanceof UploadFailed) return err.failure;
  const response = (err as Partial<tus.DetailedError>).originalResponse;
  if (response) {
    const status = response.getStatus();
    const parsed = parseApiError(response.getBody());
    return {
      code: parsed?.code ?? `http-${status}`,
      message: parsed?.message ?? String((err as Error).message),
      status,
    };
  }
  return { code: 'network', message: err instanceof Error ? err.message : String(err), status: null };
}

export function failureFromResponse(status: number, body: string): UploadFailure {
  const parsed = parseApiError(body);
  return { code: parsed?.code ?? `http-${status}`, message: parsed?.message ?? body, status };
}

function parseApiError(body: string): ApiErrorBody['error'] | null {
  try {
    const value = JSON.parse(body) as Partial<ApiErrorBody>;
    return value.error && typeof value.error.code === 'string' ? value.error : null;
  } catch {
    return null;
  }
}
