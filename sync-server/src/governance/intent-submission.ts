/**
 * Submitting intents (DESIGN §6): a batch is admitted whole or not at all by the user's rate
 * bucket, then adjudicated in order, one transaction each, counted by type and verdict, and
 * announced and published as it goes.
 */
import { INTENT_TYPES, type UserId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import { INVALID_INTENT_TYPE, type Metrics } from '../metrics.js';
import { Changes } from './changes.js';
import type { ChangePropagation } from './change-propagation.js';
import type { AdjudicatedResult, IntentEngine } from './intent-engine.js';
import type { IntentRateLimiter } from './rate-limit.js';

export interface IntentSubmissionDeps {
  engine: IntentEngine;
  limiter: IntentRateLimiter;
  propagation: ChangePropagation;
  now: () => number;
  metrics: Pick<Metrics, 'intentVerdicts'> | undefined;
}

/**
 * Adjudicates `intents` in order, each in its own transaction, as `actor` (from the token).
 * Resolves once the documents they changed are published. Throws `rate-limited` (nothing
 * adjudicated) when the user's bucket cannot take the whole batch.
 */
export async function submitIntents(
  deps: IntentSubmissionDeps,
  actor: UserId,
  intents: readonly unknown[],
): Promise<AdjudicatedResult[]> {
  const now = deps.now();
  if (!deps.limiter.take(actor, intents.length, now)) {
    const wait = deps.limiter.waitSeconds(actor, intents.length, now);
    throw new ApiError(
      'rate-limited',
      Number.isFinite(wait) ? `too many intents; retry in ${wait} s` : 'too many intents in one batch',
      { retryAfterSeconds: wait },
    );
  }
  const all = new Changes();
  const results: AdjudicatedResult[] = [];
  try {
    for (const raw of intents) {
      const { result, changes } = deps.engine.adjudicate(actor, raw);
      deps.metrics?.intentVerdicts.inc({ type: intentTypeLabel(raw), status: result.status });
      deps.propagation.announce(changes);
      all.add(changes);
      results.push(result);
    }
  } finally {
    await deps.propagation.publish(all);
  }
  return results;
}

/** The intent's type as a metric label: one of the known types, or "invalid" (bounded, whatever is sent). */
function intentTypeLabel(raw: unknown): string {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return typeof type === 'string' && (INTENT_TYPES as readonly string[]).includes(type)
    ? type
    : INVALID_INTENT_TYPE;
}
