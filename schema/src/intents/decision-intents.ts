import * as z from 'zod/mini';
import type { DecisionId, ThreadId } from '../ids.js';
import {
  idOf,
  MAX_OPTION_CHARS,
  MAX_OPTIONS,
  MAX_REASON_CHARS,
  MAX_REQUIRED_APPROVALS,
  MAX_TEXT_CHARS,
  optionalText,
  trimmedText,
  timestampMs,
} from './common.js';

/** `decision.propose`: editors and up, in an active thread; `decisionId` is made by the client. */
export const decisionProposeArgs = z.object({
  decisionId: idOf<DecisionId>(),
  threadId: idOf<ThreadId>(),
  title: trimmedText(MAX_TEXT_CHARS),
  options: z.optional(
    z.array(trimmedText(MAX_OPTION_CHARS)).check(
      z.maxLength(MAX_OPTIONS),
      z.refine((options) => new Set(options).size === options.length, 'options must be distinct'),
    ),
  ),
  /** Distinct approvers (the resolver included) needed before the decision resolves. */
  requiredApprovals: z.optional(z.int().check(z.minimum(0), z.maximum(MAX_REQUIRED_APPROVALS))),
  dueAt: z.optional(timestampMs),
});

export const decisionApproveArgs = z.object({ decisionId: idOf<DecisionId>() });

/** `outcome`: one of the decision's options when it has any, free text otherwise. */
export const decisionResolveArgs = z.object({
  decisionId: idOf<DecisionId>(),
  outcome: trimmedText(MAX_TEXT_CHARS),
});

export const decisionDeferArgs = z.object({
  decisionId: idOf<DecisionId>(),
  until: z.optional(timestampMs),
  reason: z.optional(optionalText(MAX_REASON_CHARS)),
});

export const decisionReopenArgs = z.object({ decisionId: idOf<DecisionId>() });
