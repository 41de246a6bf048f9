/**
 * Answers of the governance routes: intents and their receipts, decisions, checkpoints, inbox,
 * audit (the fields clients rely on; more may come).
 */
import { z } from 'zod';
import {
  AGING_BUCKETS,
  DECISION_STATUSES,
  NOTIFICATION_KINDS,
  RECEIPT_ALG,
  RECEIPT_FORMAT,
  RECEIPT_KINDS,
  VERDICT_STATUSES,
} from '@caucus/schema';
import { id, time } from '../responses.js';

export const verdictSchema = z.looseObject({
  status: z.enum(VERDICT_STATUSES),
  result: z.record(z.string(), z.unknown()).optional().describe('accepted'),
  code: z.string().optional().describe('rejected'),
  reason: z.string().optional().describe('rejected'),
  remedy: z.string().optional().describe('rejected'),
  checkpointId: z.string().optional().describe('awaiting-approval'),
});
/** A signed verdict (docs/RECEIPTS.md); the exact shape is `receiptSchema` of `@caucus/schema`. */
export const receiptDocSchema = z.looseObject({
  payload: z
    .looseObject({
      format: z.literal(RECEIPT_FORMAT),
      kid: z.string(),
      kind: z.enum(RECEIPT_KINDS),
      intentId: z.string().nullable(),
      actor: id,
      type: z.string(),
      workspaceId: z.string().nullable(),
      args: z.unknown(),
      verdict: verdictSchema,
      checkpoint: z.looseObject({}).nullable().describe('outcomes: how the checkpoint closed'),
      policyVersion: z.number().int(),
      at: time,
      audit: z.looseObject({ seq: z.number().int(), hash: z.string() }),
    })
    .describe('signed as RFC 8785 canonical JSON'),
  signature: z.string().describe('Ed25519, base64url without padding'),
});
export const receiptKeysDocSchema = z
  .looseObject({
    keys: z.array(
      z.looseObject({
        kid: z.string().describe('RFC 7638 JWK thumbprint'),
        alg: z.literal(RECEIPT_ALG),
        publicKey: z.string().describe('raw 32-byte Ed25519 public key, base64url'),
        createdAt: time,
        retiredAt: time.nullable().describe('null: the key that signs now'),
      }),
    ),
  })
  .meta({ id: 'ReceiptKeys' });
export const intentResultsSchema = z.looseObject({
  results: z.array(verdictSchema.extend({ id: z.string().nullable(), receipt: receiptDocSchema.optional() })),
});
export const storedIntentSchema = z.looseObject({
  id,
  type: z.string(),
  args: z.unknown(),
  verdict: verdictSchema,
  createdAt: time,
  checkpoint: z.looseObject({}).optional(),
  receipt: receiptDocSchema.optional(),
  outcome: z
    .looseObject({ verdict: verdictSchema, receipt: receiptDocSchema })
    .optional()
    .describe('once the checkpoint of an awaiting-approval intent closed'),
});

export const decisionSummarySchema = z.looseObject({
  id,
  workspaceId: id,
  threadId: id,
  title: z.string(),
  status: z.enum(DECISION_STATUSES),
  options: z.array(z.string()),
  outcome: z.string().nullable(),
  requiredApprovals: z.number().int(),
  dueAt: time.nullable(),
  openedAt: time,
  updatedAt: time,
  aging: z.enum(AGING_BUCKETS).nullable(),
});
export const decisionPageSchema = z.looseObject({
  decisions: z.array(decisionSummarySchema),
  nextCursor: z.string().nullable().optional().describe('pass as `cursor` for the next page'),
});
export const decisionDetailSchema = decisionSummarySchema.extend({
  history: z.array(z.unknown()),
  checkpoints: z.array(z.looseObject({})),
  pendingCheckpointId: z.string().nullable(),
});
export const checkpointSchema = z.looseObject({ id, workspaceId: id, status: z.string() });

export const inboxSchema = z.looseObject({
  notifications: z.array(
    z.looseObject({
      id,
      kind: z.enum(NOTIFICATION_KINDS),
      title: z.string(),
      body: z.string(),
      link: z.string(),
      at: time,
      readAt: time.optional(),
    }),
  ),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});

export const auditSchema = z.looseObject({
  events: z.array(
    z.looseObject({
      seq: z.number().int(),
      at: time,
      actor: id,
      type: z.string(),
      verdict: verdictSchema,
      prevHash: z.string(),
      hash: z.string(),
    }),
  ),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});
