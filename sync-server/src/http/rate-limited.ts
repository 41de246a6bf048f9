/**
 * Every 429 carries `Retry-After` (RFC 9110 §10.2.3, RFC 6585 §4): clients and proxies back off by
 * it instead of guessing. Throttles answer through {@link rateLimited} (in a route or middleware)
 * or throw an `ApiError` with `retryAfterSeconds` (in a service); the app's error answer sets the
 * header either way, with {@link DEFAULT_RETRY_AFTER_SECONDS} when the thrower could not say.
 */
import type { Context } from 'hono';
import type { ApiErrorBody, ApiErrorCode } from '@caucus/schema';

/** What a 429 asks for when its limiter cannot tell when the next request will pass. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** The `Retry-After` value for a wait: whole seconds, rounded up, at least 1. */
export function retryAfterValue(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return String(DEFAULT_RETRY_AFTER_SECONDS);
  return String(Math.max(1, Math.ceil(seconds)));
}

/** Codes whose status is 429. */
export type RateLimitCode = Extract<ApiErrorCode, 'rate-limited' | 'too-many-uploads'>;

/**
 * A 429 answer: `{ error: { code, message } }` with `Retry-After: <seconds>`. For throttles in
 * routes and middleware (login, signup, refresh, …): `return rateLimited(c, wait, 'too many logins')`.
 */
export function rateLimited(
  c: Context,
  seconds: number,
  message = 'too many requests; retry later',
  code: RateLimitCode = 'rate-limited',
): Response {
  const body: ApiErrorBody = { error: { code, message } };
  return c.json(body, 429, { 'Retry-After': retryAfterValue(seconds) });
}
