import { z } from 'zod';
import type { DecisionId, ThreadId } from '../ids.js';
import {
  idOf,
  MAX_OPTION_CHARS,
  MAX_OPTIONS,
  MAX_REASON_CHARS,
  MAX_REQUIRED_APPROVALS,
  MAX_TEXT_CHARS,
  trimmedText,
  timestampMs,
} from './common.js';

/** `decision.propose`: editors and up, in an active thread; `decisionId` is made by the client. */
export const decisionProposeArgs = z.object({
  decisionId: idOf<DecisionId>(),
  threadId: idOf<ThreadId>(),
  title: trimmedText(MAX_TEXT_CHARS),
  options: z
    .array(trimmedText(MAX_OPTION_CHARS))
    .max(MAX_OPTIONS)
    .refine((options) => new Set(options).size === options.length, 'options must be distinct')
    .optional(),
  /** Distinct approvers (the resolver included) needed before the decision resolves. */
  requiredApprovals: z.number().int().min(0).max(MAX_REQUIRED_APPROVALS).optional(),
  dueAt: timestampMs.optional(),
});

export const decisionApproveArgs = z.object({ decisionId: idOf<DecisionId>() });

/** `outcome`: one of the decision's options when it has any, free text otherwise. */
export const decisionResolveArgs = z.object({
  decisionId: idOf<DecisionId>(),
  outcome: trimmedText(MAX_TEXT_CHARS),
});

export const decisionDeferArgs = z.object({
  decisionId: idOf<DecisionId>(),
  until: timestampMs.optional(),
  reason: z.string().trim().max(MAX_REASON_CHARS).optional(),
});

export const decisionReopenArgs = z.object({ decisionId: idOf<DecisionId>() });
