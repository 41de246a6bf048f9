import type { DecisionStatus } from './decision-machine.js';

const DAY_MS = 86_400_000;

/**
 * How long open decisions have been open (since proposed or last reopened), for the dashboard:
 * under a day, under a week, under 30 days, older.
 */
export const AGING_BUCKETS = ['day', 'week', 'month', 'older'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** Upper bound (exclusive) of each bucket's age, in milliseconds. */
export const AGING_LIMITS_MS: Readonly<Record<Exclude<AgingBucket, 'older'>, number>> = {
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 30 * DAY_MS,
};

/** The bucket of an open decision; null for decisions that are not open. */
export function agingBucket(status: DecisionStatus, openedAt: number, now: number): AgingBucket | null {
  if (status !== 'open') return null;
  const age = now - openedAt;
  if (age < AGING_LIMITS_MS.day) return 'day';
  if (age < AGING_LIMITS_MS.week) return 'week';
  if (age < AGING_LIMITS_MS.month) return 'month';
  return 'older';
}

/** `openedAt` range `[from, to)` of a bucket at `now`, for queries. */
export function agingRange(bucket: AgingBucket, now: number): { from: number; to: number } {
  switch (bucket) {
    case 'day':
      return { from: now - AGING_LIMITS_MS.day + 1, to: Number.MAX_SAFE_INTEGER };
    case 'week':
      return { from: now - AGING_LIMITS_MS.week + 1, to: now - AGING_LIMITS_MS.day + 1 };
    case 'month':
      return { from: now - AGING_LIMITS_MS.month + 1, to: now - AGING_LIMITS_MS.week + 1 };
    case 'older':
      return { from: Number.MIN_SAFE_INTEGER, to: now - AGING_LIMITS_MS.month + 1 };
  }
}
