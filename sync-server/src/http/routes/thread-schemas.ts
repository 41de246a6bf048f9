/**
 * Answers of the thread and dashboard routes: the read model, exact (strict objects; tests parse
 * real responses with them).
 */
import { z } from 'zod';
import { AGING_BUCKETS, DECISION_STATUSES, THREAD_STATUSES, THREAD_VISIBILITIES } from '@caucus/schema';
import type { Dashboard } from '../../projection/dashboard.js';
import type { ThreadDetail, ThreadPage, ThreadSummary } from '../../projection/thread-queries.js';
import { id, time } from '../responses.js';

export const threadSchema = z
  .strictObject({
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
  })
  .meta({ id: 'Thread' });

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

export const threadPageSchema = z
  .strictObject({
    threads: z.array(threadSummarySchema),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'ThreadPage' });

export const threadDetailSchema = threadSchema
  .extend({
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
  })
  .meta({ id: 'ThreadDetail' });

const counts = <K extends string>(keys: readonly K[]) =>
  z.strictObject(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<K, z.ZodNumber>);

export const dashboardSchema = z
  .strictObject({
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
  })
  .meta({ id: 'Dashboard' });

// Compile-time checks that what the queries return fits the documented shapes.
export const responseTypeChecks = {
  summary: (x: ThreadSummary): z.input<typeof threadSummarySchema> => x,
  page: (x: ThreadPage['threads']): z.input<typeof threadPageSchema>['threads'] => x,
  detail: (x: ThreadDetail): z.input<typeof threadDetailSchema> => x,
  dashboard: (x: Dashboard): z.input<typeof dashboardSchema> => x,
};
