/** Jittered exponential backoff: how long to wait before attempt `n` (0-based) after failures. */

/** First wait after a failure. */
export const RETRY_MIN_MS = 500;
/** Longest wait between attempts (the "cap about 30 s"). */
export const RETRY_MAX_MS = 30_000;

/**
 * "Full jitter": a random wait up to the exponential bound, so many clients coming back at once
 * (a server restart) spread out instead of arriving in waves.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const bound = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempt, 16));
  return Math.max(RETRY_MIN_MS / 2, Math.round(bound * random()));
}
