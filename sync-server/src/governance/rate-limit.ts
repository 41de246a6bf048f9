/**
 * Intents per user: a token bucket per user, `perSecond` sustained with bursts up to `burst`; a
 * batch takes one token per intent, all or nothing. Time is passed in so tests need no clock.
 */
export interface IntentRate {
  perSecond: number;
  burst: number;
}

/** Enough for an offline outbox to drain in a few batches; far below what would hurt the server. */
export const DEFAULT_INTENT_RATE: IntentRate = { perSecond: 20, burst: 300 };

/** Buckets kept before full (idle) ones are dropped. */
const PRUNE_AT = 10_000;

export class IntentRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; last: number }>();

  constructor(private readonly rate: IntentRate = DEFAULT_INTENT_RATE) {}

  /** Takes `n` tokens; false (and nothing taken) when there are fewer. */
  take(userId: string, n: number, now: number): boolean {
    const bucket = this.#refill(userId, now);
    if (bucket.tokens < n) return false;
    bucket.tokens -= n;
    return true;
  }

  /** Seconds until `n` tokens are there (for Retry-After). */
  waitSeconds(userId: string, n: number, now: number): number {
    const bucket = this.#refill(userId, now);
    if (n > this.rate.burst) return Infinity;
    return Math.max(0, Math.ceil((n - bucket.tokens) / this.rate.perSecond));
  }

  #refill(userId: string, now: number): { tokens: number; last: number } {
    let bucket = this.#buckets.get(userId);
    if (!bucket) {
      if (this.#buckets.size >= PRUNE_AT) this.#prune(now);
      bucket = { tokens: this.rate.burst, last: now };
      this.#buckets.set(userId, bucket);
    }
    const elapsedMs = now - bucket.last;
    if (elapsedMs > 0) {
      bucket.tokens = Math.min(this.rate.burst, bucket.tokens + (elapsedMs * this.rate.perSecond) / 1000);
      bucket.last = now;
    }
    return bucket;
  }

  #prune(now: number): void {
    for (const [userId, bucket] of this.#buckets) {
      const tokens = bucket.tokens + ((now - bucket.last) * this.rate.perSecond) / 1000;
      if (tokens >= this.rate.burst) this.#buckets.delete(userId);
    }
  }
}
