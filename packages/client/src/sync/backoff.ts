/** Reconnect delays: exponential with jitter, so a server restart is not met by every client at once. */

/** The first retry waits about this long (ms). */
export const BACKOFF_BASE_MS = 500;
/** No retry waits longer than this (ms). */
export const BACKOFF_CAP_MS = 30_000;

/**
 * The wait before retry number `attempt` (0-based): between half and all of
 * `min(cap, base · 2^attempt)` ("equal jitter": never a thundering herd, never a hot loop).
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs = BACKOFF_BASE_MS,
  capMs = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}
