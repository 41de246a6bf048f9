/**
 * Answers of the instance admin routes, the job queue and system notices, and of the current
 * notices (the fields clients rely on; more may come).
 */
import { z } from 'zod';
import { JOB_STATES, tables } from '@caucus/schema';
import { time } from '../responses.js';

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

export const currentNoticeSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(tables.NOTICE_KINDS),
  title: z.string(),
  body: z.string(),
  workspaceId: z.string().nullable().describe('null: to every user'),
  startsAt: time,
  endsAt: time.nullable().describe('null: until withdrawn'),
});

export const noticeSchema = currentNoticeSchema
  .extend({
    createdBy: z.string(),
    createdAt: time,
    deliveredAt: time.nullable().describe('when its inbox notifications went out; null until then'),
    withdrawnAt: time.nullable(),
  })
  .meta({ id: 'Notice' });
