import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGING_BUCKETS, agingBucket, agingRange } from './aging.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2030, 0, 31);

describe('decision aging', () => {
  it('buckets open decisions by how long they have been open', () => {
    expect(agingBucket('open', NOW, NOW)).toBe('day');
    expect(agingBucket('open', NOW - DAY + 1, NOW)).toBe('day');
    expect(agingBucket('open', NOW - DAY, NOW)).toBe('week');
    expect(agingBucket('open', NOW - 7 * DAY, NOW)).toBe('month');
    expect(agingBucket('open', NOW - 30 * DAY + 1, NOW)).toBe('month');
    expect(agingBucket('open', NOW - 30 * DAY, NOW)).toBe('older');
    expect(agingBucket('resolved', NOW - 40 * DAY, NOW)).toBeNull();
    expect(agingBucket('deferred', NOW, NOW)).toBeNull();
  });

  it('gives query ranges that agree with the buckets (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * DAY }), (age) => {
        const openedAt = NOW - age;
        const bucket = agingBucket('open', openedAt, NOW);
        for (const b of AGING_BUCKETS) {
          const { from, to } = agingRange(b, NOW);
          expect(openedAt >= from && openedAt < to).toBe(b === bucket);
        }
      }),
    );
  });
});
