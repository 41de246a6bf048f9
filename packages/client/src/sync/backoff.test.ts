import { describe, expect, it } from 'vitest';
import { backoffDelay, BACKOFF_BASE_MS, BACKOFF_CAP_MS } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base with jitter and never passes the cap', () => {
    expect(backoffDelay(0, () => 0)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffDelay(0, () => 1)).toBe(BACKOFF_BASE_MS);
    expect(backoffDelay(3, () => 0.5)).toBe(BACKOFF_BASE_MS * 8 * 0.75);
    for (let attempt = 0; attempt < 100; attempt++) {
      const d = backoffDelay(attempt, Math.random);
      expect(d).toBeGreaterThanOrEqual(Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt) / 2);
      expect(d).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    }
    expect(backoffDelay(1000, () => 0)).toBe(BACKOFF_CAP_MS / 2);
  });
});
