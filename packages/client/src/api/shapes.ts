/**
 * The shapes of the API's answers the client relies on (docs/API.md), checked at the edge with
 * zod's tree-shakable `zod/mini` so the browser bundle stays small. Objects are loose: fields the
 * client does not use pass through, so a newer server does not break an older client.
 */
import * as z from 'zod/mini';
import type {
  ApiTokenId,
  CheckpointId,
  DecisionId,
  IntentId,
  NotificationId,
  ThreadId,
  UploadId,
  UserId,
  WorkspaceId,
} from '@caucus/schema';

/** A string branded as an id of kind `T`: a cast for the compiler, no work when parsing. */
const id = <T extends string>() => z.string() as unknown as z.ZodMiniType<T, string>;
const nullableNumber = z.nullable(z.number());

export const userShape = z.looseObject({
  id: id<UserId>(),
  email: z.string(),
  name: z.string(),
  createdAt: z.number(),
});
export type User = z.output<typeof userShape>;

/** What signup, login and refresh answer. */
export const sessionShape = z.object({
  user: userShape,
  accessToken: z.string(),
  refreshToken: z.string(),
});
export type SessionAnswer = z.output<typeof sessionShape>;

export const meShape = z.looseObject({
  user: userShape,
  via: z.enum(['session', 'api-token']),
  expiresAt: nullableNumber,
  /** When the caller's avatar was stored; null without one (absent from older servers). */
  avatarUpdatedAt: z.optional(nullableNumber),
});
export type Me = z.output<typeof meShape>;

const tokenInfo = {
  id: id<ApiTokenId>(),
  name: z.string(),
  createdAt: z.number(),
  expiresAt: nullableNumber,
};
export const newTokenShape = z.looseObject({ ...tokenInfo, token: z.string() });
export type NewApiToken = z.output<typeof newTokenShape>;
export const tokenListShape = z.object({
  tokens: z.array(z.looseObject({ ...tokenInfo, lastUsedAt: nullableNumber })),
});
export type ApiTokenInfo = z.output<typeof tokenListShape>['tokens'][number];

export const workspaceShape = z.looseObject({
  id: id<WorkspaceId>(),
  name: z.string(),
  personal: z.boolean(),
  role: z.string(),
  createdAt: z.number(),
});
export type Workspace = z.output<typeof workspaceShape>;
export const workspaceListShape = z.object({ workspaces: z.array(workspaceShape) });

export const memberShape = z.looseObject({
  userId: id<UserId>(),
  name: z.string(),
  email: z.string(),
  role: z.string(),
  joinedAt: z.number(),
});
export type Member = z.output<typeof memberShape>;
export const workspaceDetailShape = z.looseObject({
  id: id<WorkspaceId>(),
  name: z.string(),
  members: z.array(memberShape),
});
export type WorkspaceDetail = z.output<typeof workspaceDetailShape>;

const lastMessage = z.nullable(
  z.looseObject({ id: z.nullable(z.string()), author: z.nullable(z.string()), text: z.string() }),
);
export const threadSummaryShape = z.looseObject({
  id: id<ThreadId>(),
  workspaceId: id<WorkspaceId>(),
  title: z.string(),
  intent: z.nullable(z.string()),
  status: z.string(),
  /** `private`: seen by its members only (a server that predates private threads sends none). */
  visibility: z.optional(z.enum(['workspace', 'private'])),
  /** A direct conversation (`conversation.open`). */
  conversation: z.optional(z.boolean()),
  activityAt: z.number(),
  messageCount: z.number(),
  attachmentCount: z.number(),
  lastMessage: z.optional(lastMessage),
  match: z.optional(z.looseObject({ field: z.string(), snippet: z.string() })),
});
export type ThreadSummary = z.output<typeof threadSummaryShape>;
export const threadPageShape = z.object({
  threads: z.array(threadSummaryShape),
  nextCursor: z.nullable(z.string()),
});
export type ThreadPage = z.output<typeof threadPageShape>;

export const threadDetailShape = z.looseObject({
  id: id<ThreadId>(),
  workspaceId: id<WorkspaceId>(),
  title: z.string(),
  intent: z.nullable(z.string()),
  status: z.string(),
  visibility: z.optional(z.enum(['workspace', 'private'])),
  conversation: z.optional(z.boolean()),
  body: z.string(),
  messages: z.array(
    z.looseObject({
      id: z.nullable(z.string()),
      author: z.nullable(z.string()),
      text: z.string(),
      at: nullableNumber,
    }),
  ),
  attachments: z.array(
    z.looseObject({ id: id<UploadId>(), name: z.string(), size: z.number(), type: z.string() }),
  ),
});
export type ThreadDetail = z.output<typeof threadDetailShape>;

export const decisionShape = z.looseObject({
  id: id<DecisionId>(),
  workspaceId: id<WorkspaceId>(),
  threadId: id<ThreadId>(),
  title: z.string(),
  status: z.string(),
  version: z.number(),
  outcome: z.nullable(z.string()),
});
export type DecisionSummary = z.output<typeof decisionShape>;
export const decisionPageShape = z.object({
  decisions: z.array(decisionShape),
  nextCursor: z.nullable(z.string()),
});

export const checkpointShape = z.looseObject({
  id: id<CheckpointId>(),
  workspaceId: id<WorkspaceId>(),
  target: z.looseObject({ kind: z.string(), id: z.string() }),
  action: z.looseObject({ type: z.string() }),
  requestedBy: z.string(),
  requiredApprovals: z.number(),
  approvals: z.array(z.looseObject({ userId: z.string() })),
  status: z.string(),
  version: z.number(),
});
export type Checkpoint = z.output<typeof checkpointShape>;

export const notificationShape = z.looseObject({
  id: id<NotificationId>(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string(),
  at: z.number(),
  readAt: z.optional(nullableNumber),
});
export type Notification = z.output<typeof notificationShape>;
export const inboxShape = z.object({ notifications: z.array(notificationShape) });

export const fileInfoShape = z.looseObject({
  id: id<UploadId>(),
  threadId: id<ThreadId>(),
  name: z.string(),
  size: z.number(),
  type: z.string(),
  sha256: z.string(),
});
export const fileListShape = z.object({ files: z.array(fileInfoShape) });

/**
 * One verdict of `POST /api/intents`. Loose, so what a newer server adds to a verdict (a signed
 * receipt, say) is kept with the intent rather than dropped.
 */
export const intentResultShape = z.looseObject({
  id: z.nullable(id<IntentId>()),
  status: z.enum(['accepted', 'rejected', 'awaiting-approval']),
  result: z.optional(z.record(z.string(), z.unknown())),
  code: z.optional(z.string()),
  reason: z.optional(z.string()),
  remedy: z.optional(z.string()),
  checkpointId: z.optional(z.string()),
});
export type IntentResultAnswer = z.output<typeof intentResultShape>;
export const intentResultsShape = z.object({ results: z.array(intentResultShape) });

/** One job of the instance's queue, as `GET /api/admin/jobs` lists failures (instance admins). */
export const jobShape = z.looseObject({
  id: z.number(),
  queue: z.string(),
  key: z.nullable(z.string()),
  state: z.string(),
  attempts: z.number(),
  maxAttempts: z.number(),
  lastError: z.nullable(z.string()),
  runAt: z.number(),
  updatedAt: z.number(),
});
export type JobView = z.output<typeof jobShape>;
export const adminJobsShape = z.looseObject({
  at: z.number(),
  queues: z.array(
    z.looseObject({
      queue: z.string(),
      waiting: z.number(),
      due: z.number(),
      running: z.number(),
      done: z.number(),
      dead: z.number(),
      cancelled: z.number(),
      oldestDueAgeMs: z.number(),
    }),
  ),
  recentFailures: z.array(jobShape),
});
export type AdminJobs = z.output<typeof adminJobsShape>;

/** A system notice as `GET /api/notices` gives it (the banner's). */
export const currentNoticeShape = z.looseObject({
  id: z.string(),
  kind: z.enum(['info', 'warning', 'error']),
  title: z.string(),
  body: z.string(),
  workspaceId: z.nullable(id<WorkspaceId>()),
  startsAt: z.number(),
  endsAt: z.nullable(z.number()),
});
export type CurrentNotice = z.output<typeof currentNoticeShape>;
export const currentNoticesShape = z.looseObject({ notices: z.array(currentNoticeShape) });
/** …and as an instance admin sees it, with its bookkeeping. */
export const noticeShape = z.extend(currentNoticeShape, {
  createdBy: id<UserId>(),
  createdAt: z.number(),
  deliveredAt: z.nullable(z.number()),
  withdrawnAt: z.nullable(z.number()),
});
export type Notice = z.output<typeof noticeShape>;
export const noticeListShape = z.looseObject({ notices: z.array(noticeShape) });
