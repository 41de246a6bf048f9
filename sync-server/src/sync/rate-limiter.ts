/**
 * A token bucket: `ratePerSecond` sustained, bursts up to `burst`. The state lives in the object
 * that owns it (a connection), so an idle connection carries two numbers, not another object.
 * Time is passed in so tests need no clock.
 */
export interface TokenBucket {
  tokens: number;
  /** When `tokens` was last refilled (ms). */
  refilledAt: number;
}

/** Takes one token from `bucket`; false when it is empty. */
export function takeToken(bucket: TokenBucket, ratePerSecond: number, burst: number, now: number): boolean {
  const elapsedMs = now - bucket.refilledAt;
  if (elapsedMs > 0) {
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * ratePerSecond) / 1000);
    bucket.refilledAt = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
