/**
 * Response bodies of the HTTP API as zod schemas, for the OpenAPI document (`openapi.ts`). The
 * read model's are exact (strict objects; tests parse real responses with them); the others
 * describe the fields clients rely on and allow more.
 */
import { z } from 'zod';
import {
  AGING_BUCKETS,
  API_ERRORS,
  DECISION_STATUSES,
  JOB_STATES,
  NOTIFICATION_KINDS,
  RECEIPT_ALG,
  RECEIPT_FORMAT,
  RECEIPT_KINDS,
  ROLES,
  THREAD_STATUSES,
  THREAD_VISIBILITIES,
  VERDICT_STATUSES,
  type ApiErrorCode,
} from '@caucus/schema';
import type { Dashboard } from '../projection/dashboard.js';
import type { ThreadDetail, ThreadPage, ThreadSummary } from '../projection/thread-queries.js';

const time = z.number().describe('milliseconds since the epoch');
const id = z.string();

export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]]),
    message: z.string(),
  }),
});

// ---- threads and the read model (exact) -------------------------------------------------------

export const threadSchema = z.strictObject({
  id,
  workspaceId: id,
  title: z.string(),
  intent: z.string().nullable(),
  status: z.enum(THREAD_STATUSES),
  visibility: z.enum(THREAD_VISIBILITIES).describe('`private`: seen by its members only'),
  conversation: z.boolean().describe('a direct conversation (`conversation.open`)'),
  createdBy: id,
  createdAt: time,
  updatedAt: time,
});

const lastMessageSchema = z.strictObject({
  id: z.string().nullable(),
  author: z.string().nullable(),
  text: z.string().describe('the first 280 characters'),
  at: time.nullable(),
});

const searchMatchSchema = z.strictObject({
  field: z.enum(['title', 'intent', 'body', 'message']),
  messageId: z.string().nullable(),
  snippet: z.string().describe('HTML-escaped text around the match, matched words in <mark>…</mark>'),
});

const projectedFields = {
  activityAt: time.describe('the newest message or edit, or the last change of the thread row'),
  messageCount: z.number().int(),
  attachmentCount: z.number().int(),
};

export const threadSummarySchema = threadSchema.extend({
  ...projectedFields,
  lastMessage: lastMessageSchema.nullable(),
  match: searchMatchSchema.optional().describe('with `q` only: where the best match is'),
});

export const threadPageSchema = z.strictObject({
  threads: z.array(threadSummarySchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});

export const threadDetailSchema = threadSchema.extend({
  ...projectedFields,
  body: z.string(),
  messages: z.array(
    z.strictObject({
      id: z.string().nullable(),
      author: z.string().nullable(),
      text: z.string(),
      at: time.nullable(),
      editedAt: time.nullable(),
    }),
  ),
  attachments: z.array(
    z.strictObject({ id, name: z.string(), size: z.number().int(), type: z.string(), sha256: z.string() }),
  ),
  projectedSeq: z.number().int().nullable().describe('update-log seq projected; null before the first'),
});

const counts = <K extends string>(keys: readonly K[]) =>
  z.strictObject(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<K, z.ZodNumber>);

export const dashboardSchema = z.strictObject({
  workspaceId: id,
  threads: counts(['total', ...THREAD_STATUSES]),
  decisions: z.strictObject({
    total: z.number().int(),
    byStatus: counts(DECISION_STATUSES),
    aging: counts(AGING_BUCKETS).describe('open decisions by time open: < 1 day, < 7, < 30, older'),
  }),
  checkpoints: z.strictObject({ pending: z.number().int() }),
  notifications: z.strictObject({ unread: z.number().int() }).describe("the caller's own"),
  files: z.strictObject({ count: z.number().int(), bytes: z.number().int() }),
  at: time,
});

// Compile-time checks that what the queries return fits the documented shapes.
export const responseTypeChecks = {
  summary: (x: ThreadSummary): z.input<typeof threadSummarySchema> => x,
  page: (x: ThreadPage['threads']): z.input<typeof threadPageSchema>['threads'] => x,
  detail: (x: ThreadDetail): z.input<typeof threadDetailSchema> => x,
  dashboard: (x: Dashboard): z.input<typeof dashboardSchema> => x,
};

// ---- the rest of the API (the fields clients rely on) -----------------------------------------

export const userSchema = z.looseObject({ id, email: z.string(), name: z.string(), createdAt: time });

export const authSessionSchema = z.looseObject({
  user: userSchema,
  accessToken: z.string(),
  refreshToken: z.string(),
});

export const meSchema = z.looseObject({
  user: userSchema,
  via: z.enum(['session', 'api-token']),
  expiresAt: time.nullable(),
  /** When the caller's avatar was stored; null without one. */
  avatarUpdatedAt: time.nullable(),
});

const apiTokenSchema = z.looseObject({
  id,
  name: z.string(),
  createdAt: time,
  lastUsedAt: time.nullable(),
  expiresAt: time.nullable(),
});
export const newApiTokenSchema = z.looseObject({
  id,
  name: z.string(),
  token: z.string().describe('shown once'),
  createdAt: time,
  expiresAt: time.nullable(),
});
export const apiTokenListSchema = z.looseObject({ tokens: z.array(apiTokenSchema) });

export const workspaceSchema = z.looseObject({
  id,
  name: z.string(),
  personal: z.boolean(),
  role: z.enum(ROLES),
  createdAt: time,
});
export const workspaceListSchema = z.looseObject({ workspaces: z.array(workspaceSchema) });
export const workspaceDetailSchema = workspaceSchema.extend({
  members: z.array(
    z.looseObject({ userId: id, name: z.string(), email: z.string(), role: z.enum(ROLES), joinedAt: time }),
  ),
  invitations: z
    .array(
      z.looseObject({
        id,
        email: z.string(),
        role: z.enum(ROLES),
        invitedBy: id,
        invitedAt: time,
        expiresAt: time,
      }),
    )
    .optional()
    .describe('owners only: invitations not yet answered and not expired'),
});
export const addMemberResultSchema = z
  .looseObject({
    workspaceId: id,
    email: z.string(),
    role: z.enum(ROLES),
    status: z.literal('invited'),
    invitationId: id,
    expiresAt: time,
  })
  .describe('the same whether an account with that email exists or not');

export const invitationSchema = z.looseObject({
  id,
  workspace: z.looseObject({ id, name: z.string() }),
  invitedBy: z.looseObject({ id, name: z.string() }),
  email: z.string().describe('the invited address: only its account may accept'),
  role: z.enum(ROLES),
  expiresAt: time,
});
export const acceptedInvitationSchema = z.looseObject({
  workspaceId: id,
  role: z.enum(ROLES).describe('the role now held (an existing membership is kept as it is)'),
});

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
export const receiptKeysDocSchema = z.looseObject({
  keys: z.array(
    z.looseObject({
      kid: z.string().describe('RFC 7638 JWK thumbprint'),
      alg: z.literal(RECEIPT_ALG),
      publicKey: z.string().describe('raw 32-byte Ed25519 public key, base64url'),
      createdAt: time,
      retiredAt: time.nullable().describe('null: the key that signs now'),
    }),
  ),
});
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

export const fileSchema = z.looseObject({
  id,
  threadId: id,
  name: z.string(),
  size: z.number().int(),
  type: z.string(),
  sha256: z.string(),
  uploadedBy: id,
  createdAt: time,
  completedAt: time,
});
export const fileListSchema = z.looseObject({
  files: z.array(fileSchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});
export const fileStatsSchema = z.looseObject({
  count: z.number().int(),
  bytes: z.number().int(),
  byType: z.record(z.string(), z.looseObject({ count: z.number().int(), bytes: z.number().int() })),
  quotaUsedBytes: z.number().int(),
  quotaBytes: z.number().int(),
});

export const healthSchema = z.looseObject({ status: z.literal('ok'), version: z.string() });

const jobView = z.looseObject({
  id: z.number().int(),
  queue: z.string(),
  key: z.string().nullable().describe('the job key (`reminder:<decisionId>:due`); one live job per key'),
  state: z.enum(JOB_STATES),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().nullable(),
  runAt: time,
  updatedAt: time,
});

export const adminJobSchema = jobView;

export const adminJobsSchema = z.looseObject({
  at: time,
  queues: z.array(
    z.looseObject({
      queue: z.string(),
      waiting: z.number().int().describe('not yet due ones included'),
      due: z.number().int().describe('waiting and due now: the backlog'),
      running: z.number().int(),
      done: z.number().int(),
      dead: z.number().int(),
      cancelled: z.number().int(),
      oldestDueAgeMs: z.number().describe('how long the oldest due waiting job has waited'),
    }),
  ),
  recentFailures: z.array(jobView).describe('dead jobs and jobs waiting to retry, newest first'),
});
