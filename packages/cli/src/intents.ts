/**
 * Running an intent from the command line: queue it in the state dir's outbox, send what waits,
 * and report this intent's verdict — or, when the server cannot be reached, say that it is queued
 * (with the verdict the policy predicts) and exit 3 so scripts can tell.
 */
import {
  conversationOf,
  type Outbox,
  type StoredVerdict,
  type Submitted,
  type SubmitOptions,
} from '@caucus/client';
import type { IntentArgsInput, IntentType } from '@caucus/schema';
import type { Context } from './context.js';
import { CliError, EXIT, exitFor } from './exit-codes.js';

export interface IntentOutcome {
  id: string;
  type: IntentType;
  verdict: StoredVerdict | null;
  queued: boolean;
}

/** How a command reports its intent, beside the defaults. */
export interface IntentReport {
  /** The line for an accepted verdict. */
  done?: (verdict: StoredVerdict) => string;
  /** The line when the intent was queued offline. */
  queuedText?: () => string;
  /** Fields added to the `--json` result. */
  extra?: (verdict: StoredVerdict | null) => Record<string, unknown>;
}

export async function runIntent<T extends IntentType>(
  ctx: Context,
  type: T,
  args: IntentArgsInput<T>,
  options: SubmitOptions & IntentReport = {},
): Promise<IntentOutcome> {
  const outbox = await ctx.outbox();
  let submitted;
  try {
    submitted = outbox.submit(type, args, options);
  } catch (err) {
    throw new CliError('invalid-intent', err instanceof Error ? err.message : String(err), EXIT.usage);
  }
  await submitted.queued;
  return deliverIntent(ctx, outbox, submitted, type, options);
}

/** Sends what waits (the queued intent among it) and reports the verdict, or that it is queued. */
export async function deliverIntent(
  ctx: Context,
  outbox: Outbox,
  submitted: Submitted,
  type: IntentType,
  options: IntentReport = {},
): Promise<IntentOutcome> {
  const extra = options.extra ?? (() => ({}));
  const prediction = outbox.current.pending.find((p) => p.id === submitted.id)?.prediction;
  const report = await outbox.flush();
  const got = report.verdicts.find((v) => v.id === submitted.id);
  const others = report.verdicts.length - (got ? 1 : 0);
  if (others > 0) ctx.out.note(`also sent ${others} intent(s) queued earlier (see \`caucus status\`)`);
  if (got) {
    const verdict = got.verdict;
    const outcome: IntentOutcome = { id: submitted.id, type, verdict, queued: false };
    ctx.out.result({ ...outcome, ...extra(verdict) }, () => describeVerdict(type, verdict, options.done));
    if (verdict.status === 'rejected') process.exitCode = EXIT.refused;
    return outcome;
  }
  const error = report.error;
  if (
    error &&
    (error.code === 'network' || (error.status !== null && error.status >= 500) || error.status === 429)
  ) {
    const outcome: IntentOutcome = { id: submitted.id, type, verdict: null, queued: true };
    const guess = prediction && prediction.status !== 'unknown' ? `; predicted: ${prediction.status}` : '';
    ctx.out.result({ ...outcome, prediction: prediction ?? null, ...extra(null) }, () =>
      options.queuedText ? options.queuedText() : `${type} queued (${submitted.id})${guess}`,
    );
    ctx.out.note(`offline (${error.code}): queued in ${ctx.stateDir}; \`caucus sync\` sends it`);
    process.exitCode = EXIT.queued;
    return outcome;
  }
  if (error)
    throw new CliError(
      error.code,
      `${error.message} (the intent stays queued)`,
      exitFor(error.code, error.status),
    );
  throw new CliError('internal', `no verdict for ${submitted.id}`, EXIT.internal);
}

export function describeVerdict(
  type: string,
  verdict: StoredVerdict,
  done?: (verdict: StoredVerdict) => string,
): string {
  switch (verdict.status) {
    case 'accepted': {
      if (done) return done(verdict);
      const conversation = type === 'conversation.open' ? conversationOf(verdict) : null;
      return conversation ? `${type}: accepted — conversation ${conversation}` : `${type}: accepted`;
    }
    case 'awaiting-approval':
      return `${type}: waiting for approval in checkpoint ${verdict.checkpointId}`;
    case 'rejected':
      return `${type}: rejected (${verdict.code}): ${verdict.reason} — ${verdict.remedy}`;
  }
}
