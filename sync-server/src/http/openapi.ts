/**
 * The OpenAPI 3.1 document of the HTTP API (`GET /api/openapi.json`), made from zod schemas: the
 * request schemas are the very ones the routes validate with (exported from the route files), so
 * the document cannot describe inputs the server does not accept. A test checks that every route
 * of the app under /api is in the document and the other way round.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { errorBodySchema } from './responses.js';
import { adminJobSchema, adminJobsSchema } from './routes/admin-schemas.js';
import { apiTokenListSchema, authSessionSchema, meSchema, newApiTokenSchema } from './routes/auth-schemas.js';
import {
  auditSchema,
  checkpointSchema,
  decisionDetailSchema,
  decisionPageSchema,
  inboxSchema,
  intentResultsSchema,
  receiptKeysDocSchema,
  storedIntentSchema,
} from './routes/governance-schemas.js';
import {
  dashboardSchema,
  threadDetailSchema,
  threadPageSchema,
  threadSchema,
} from './routes/thread-schemas.js';
import {
  acceptedInvitationSchema,
  addMemberResultSchema,
  invitationSchema,
  workspaceDetailSchema,
  workspaceListSchema,
  workspaceSchema,
} from './routes/workspace-schemas.js';
import { fileListSchema, fileSchema, fileStatsSchema } from '../uploads/file-schemas.js';
import { noticeOperations } from './notice-openapi.js';
import { jobIdPath } from './routes/admin.js';
import { unsubscribeQuerySchema } from './routes/unsubscribe.js';
import { listSchema as auditQuery } from './routes/audit.js';
import { loginSchema, refreshSchema, signupSchema } from './routes/auth.js';
import { dashboardQuerySchema } from './routes/dashboard.js';
import { listSchema as decisionsQuery } from './routes/decisions.js';
import { listSchema as inboxQuery } from './routes/inbox.js';
import { batchSchema } from './routes/intents.js';
import { invitationSignupSchema, invitationTokenSchema } from './routes/invitations.js';
import { createThreadSchema, listThreadsSchema } from './routes/threads.js';
import { createSchema as createTokenSchema } from './routes/tokens.js';
import { addMemberSchema, createSchema as createWorkspaceSchema } from './routes/workspaces.js';
import { listSchema as filesQuery } from '../uploads/routes.js';
import { idSchema } from './validate.js';

type Registry = OpenAPIHono['openAPIRegistry'];

type PathConfig = Parameters<Registry['registerPath']>[0];

export interface OpenApiOptions {
  /** The server's longest title, intent or message (`limits.maxFieldChars`). */
  maxFieldChars: number;
}

/** `:id` path segments: ids are checked like every other id (a malformed one is a 404). */
const idPath = z.object({ id: idSchema() });

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

export interface Operation {
  summary: string;
  tag: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  params?: z.ZodObject;
  /** Success status and body (null: no body). */
  ok: [status: number, schema: z.ZodType | null, description?: string];
  /** Routes that need no token. */
  public?: boolean;
  /** Routes behind a rate limit: their 429 is documented with its `Retry-After`. */
  throttled?: boolean;
}

/**
 * Registers in `registry` the routes not yet declared with their route (`openapi-route.ts`); each
 * goes from here once its route file declares it.
 */
export function registerPendingPaths(registry: Registry, options: OpenApiOptions): void {
  const error = errorBodySchema;
  const named = <S extends z.ZodType>(name: string, schema: S): S => registry.register(name, schema);
  const thread = named('Thread', threadSchema);
  const tooManyRequests = {
    description: 'over the rate limit; nothing was done',
    headers: {
      'Retry-After': {
        description: 'whole seconds until the same request can pass',
        schema: { type: 'integer' as const, minimum: 1 },
      },
    },
    ...json(error),
  };

  const add = (method: PathConfig['method'], path: string, op: Operation) => {
    const [status, schema, description] = op.ok;
    const request: NonNullable<PathConfig['request']> = {};
    if (op.query) request.query = op.query;
    if (op.params) request.params = op.params;
    if (op.body) request.body = { required: true, ...json(op.body) };
    registry.registerPath({
      method,
      path,
      summary: op.summary,
      tags: [op.tag],
      ...(op.public ? {} : { security: [{ bearer: [] }] }),
      request,
      responses: {
        [status]: { description: description ?? 'OK', ...(schema ? json(schema) : {}) },
        ...(op.throttled ? { 429: tooManyRequests } : {}),
        default: {
          description: 'an error: `{ error: { code, message } }` with the status of its code',
          ...json(error),
        },
      },
    });
  };

  // Auth and tokens.
  const session = named('AuthSession', authSessionSchema);

  // Workspaces.
  const workspace = named('Workspace', workspaceSchema);
  add('post', '/api/workspaces', {
    summary: 'Create a workspace',
    tag: 'workspaces',
    body: createWorkspaceSchema,
    ok: [201, workspace],
  });
  add('get', '/api/workspaces', {
    summary: "The caller's workspaces",
    tag: 'workspaces',
    ok: [200, workspaceListSchema],
  });
  add('get', '/api/workspaces/{id}', {
    summary: 'A workspace with its members',
    tag: 'workspaces',
    params: idPath,
    ok: [200, workspaceDetailSchema],
  });
  add('post', '/api/workspaces/{id}/members', {
    summary: 'Invite someone by email (owners; a `member.invite` intent): they join once they accept',
    tag: 'workspaces',
    params: idPath,
    body: addMemberSchema,
    ok: [201, addMemberResultSchema],
    throttled: true,
  });

  // Invitations: the invitee's side; the token travels in the body.
  add('post', '/api/invitations/lookup', {
    summary: 'What an invitation token is for (404 unknown, 410 answered, replaced or expired)',
    tag: 'invitations',
    body: invitationTokenSchema,
    ok: [200, named('Invitation', invitationSchema)],
    public: true,
  });
  add('post', '/api/invitations/accept', {
    summary: 'Accept an invitation, signed in as the invited address (403 for another account)',
    tag: 'invitations',
    body: invitationTokenSchema,
    ok: [200, acceptedInvitationSchema],
  });
  add('post', '/api/invitations/decline', {
    summary: 'Decline an invitation (the token is enough)',
    tag: 'invitations',
    body: invitationTokenSchema,
    ok: [204, null, 'declined'],
    public: true,
  });
  add('post', '/api/invitations/signup', {
    summary: 'Create an account through an invitation: the address is the invitation’s, proven by the token',
    tag: 'invitations',
    body: invitationSignupSchema,
    ok: [201, session],
    public: true,
  });

  // Threads: the read model.

  // Governance.
  add('post', '/api/intents', {
    summary: 'Submit intents (adjudicated in order; business rejections are verdicts, not errors)',
    tag: 'governance',
    body: batchSchema,
    ok: [200, intentResultsSchema],
    throttled: true,
  });
  add('get', '/api/intents/{id}', {
    summary: 'An intent the caller submitted, with its receipts',
    tag: 'governance',
    params: idPath,
    ok: [200, storedIntentSchema],
  });
  add('get', '/api/receipts/keys', {
    summary: 'The public keys that check verdict receipts, retired ones included (docs/RECEIPTS.md)',
    tag: 'governance',
    ok: [200, named('ReceiptKeys', receiptKeysDocSchema)],
    public: true,
  });
  add('get', '/api/decisions', {
    summary: 'Decisions of a workspace, by status and aging bucket',
    tag: 'governance',
    query: decisionsQuery,
    ok: [200, decisionPageSchema],
  });
  add('get', '/api/decisions/{id}', {
    summary: 'A decision with its checkpoints',
    tag: 'governance',
    params: idPath,
    ok: [200, decisionDetailSchema],
  });
  add('get', '/api/checkpoints/{id}', {
    summary: 'A checkpoint',
    tag: 'governance',
    params: idPath,
    ok: [200, checkpointSchema],
  });
  add('get', '/api/inbox', {
    summary: "The caller's notifications, newest first",
    tag: 'governance',
    query: inboxQuery,
    ok: [200, inboxSchema],
  });
  add('get', '/api/audit', {
    summary: "A workspace's audit events (owners)",
    tag: 'governance',
    query: auditQuery,
    ok: [200, auditSchema],
  });

  // The instance's job queue (instance admins: CAUCUS_ADMIN_EMAILS, else the first account).
  add('get', '/api/admin/jobs', {
    summary: 'Job counts per queue and state, the oldest waiting age, recent failures (instance admins)',
    tag: 'operations',
    ok: [200, adminJobsSchema],
  });
  add('post', '/api/admin/jobs/{id}/retry', {
    summary: 'Runs a dead job again, its attempts starting over (instance admins)',
    tag: 'operations',
    params: jobIdPath,
    ok: [200, adminJobSchema],
  });
  add('post', '/api/admin/jobs/{id}/discard', {
    summary: 'Gives a dead job up (cancelled, kept for the record) (instance admins)',
    tag: 'operations',
    params: jobIdPath,
    ok: [200, adminJobSchema],
  });
  for (const [method, path, op] of noticeOperations(named)) add(method, path, op);

  add('get', '/api/unsubscribe', {
    summary: 'A page with the one-click unsubscribe button of an email (changes nothing)',
    tag: 'governance',
    query: unsubscribeQuerySchema,
    ok: [200, null, 'an HTML page'],
    public: true,
  });
  add('post', '/api/unsubscribe', {
    summary: "One-click unsubscribe (RFC 8058): that kind's email off for the link's user, no login",
    tag: 'governance',
    query: unsubscribeQuerySchema,
    ok: [200, z.object({ unsubscribed: z.literal(true), kind: z.string() })],
    public: true,
  });

  // Files (the bytes go through tus at /files/).
  add('get', '/api/files', {
    summary: "A thread's files",
    tag: 'files',
    query: filesQuery,
    ok: [200, fileListSchema],
  });
  add('get', '/api/files/stats', {
    summary: "The caller's upload statistics and quota",
    tag: 'files',
    ok: [200, fileStatsSchema],
  });
  add('get', '/api/files/{id}', {
    summary: "A file's metadata",
    tag: 'files',
    params: idPath,
    ok: [200, named('File', fileSchema)],
  });
  add('get', '/api/users/{id}/avatar', {
    summary: "A user's avatar (300×300 WebP; the caller's own or a workspace fellow's)",
    tag: 'files',
    params: idPath,
    ok: [200, null, 'the image (image/webp), with an ETag'],
  });
  add('delete', '/api/me/avatar', {
    summary: "Remove the caller's avatar (upload one over tus with purpose: avatar)",
    tag: 'files',
    ok: [204, null, 'removed'],
  });
}
