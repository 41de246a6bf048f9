import { z } from 'zod';
import {
  MAX_THREAD_MEMBER_IDS,
  newId,
  THREAD_STATUSES,
  THREAD_VISIBILITIES,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { acceptedResult } from '../../governance/verdict-errors.js';
import { getThread, listThreads, MAX_PAGE_SIZE } from '../../projection/thread-queries.js';
import type { Db } from '../../storage/db.js';
import type { ThreadService } from '../../workspaces/thread-service.js';
import { cursorParam, encodeCursor, limitParam } from '../cursor.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, jsonRequest, mount, openApiApp, routesOf, throttledErrors } from '../openapi-route.js';
import { idSchema as id } from '../validate.js';
import { threadDetailSchema, threadPageSchema, threadSchema } from './thread-schemas.js';

/** Longest search string; longer ones are not a search but a payload. */
const MAX_QUERY_CHARS = 200;

export function createThreadSchema(maxFieldChars: number) {
  return z.object({
    workspaceId: id<WorkspaceId>(),
    title: z.string().trim().min(1).max(maxFieldChars),
    intent: z.string().trim().max(maxFieldChars).optional(),
    threadId: id<ThreadId>().optional(),
    /** `private`: seen by `memberIds` and the creator only. */
    visibility: z.enum(THREAD_VISIBILITIES).optional(),
    memberIds: z.array(id<UserId>()).max(MAX_THREAD_MEMBER_IDS).optional(),
  });
}

/** Where the next page of a thread list starts (the keyset of its last thread). */
const threadCursorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('activity'), at: z.number(), id: z.string() }),
  z.object({ kind: z.literal('rank'), score: z.number(), id: z.string() }),
]);

export const listThreadsSchema = z.object({
  /** Every workspace of the caller when omitted. */
  workspaceId: id<WorkspaceId>().optional(),
  status: z.enum(THREAD_STATUSES).optional(),
  q: z.string().trim().max(MAX_QUERY_CHARS).optional(),
  cursor: cursorParam(threadCursorSchema).optional(),
  limit: limitParam(MAX_PAGE_SIZE).optional(),
});

const route = routesOf('threads');

const createThread = (maxFieldChars: number) =>
  route('post', '/', 'Create a thread (a `thread.create` intent)', {
    request: { body: jsonRequest(createThreadSchema(maxFieldChars)) },
    responses: { 201: answer(threadSchema), ...throttledErrors },
  });

const listThreadsRoute = route('get', '/', 'List or search threads the caller may read', {
  request: { query: listThreadsSchema },
  responses: {
    200: answer(
      threadPageSchema,
      'Newest activity first; with `q`, by relevance with a highlighted snippet. A thread matches when ' +
        'its title, intent and body together, or one of its messages, hold every word of `q` (the last ' +
        'one also as a prefix).',
    ),
  },
});

const getThreadRoute = route(
  'get',
  '/{id}',
  'A thread as projected: meta, body text, messages, attachments',
  { request: { params: z.object({ id: id<ThreadId>() }) }, responses: { 200: answer(threadDetailSchema) } },
);

/** `/api/threads`. */
export function threadRoutes(deps: {
  db: Db;
  auth: AuthService;
  threads: ThreadService;
  governance: GovernanceService;
  maxFieldChars: number;
}) {
  const { db, auth, threads, governance } = deps;
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  // A `thread.create` intent underneath (DESIGN §5): same rules, audit and events as via /api/intents.
  mount(app, createThread(deps.maxFieldChars), async (c) => {
    const { workspaceId, title, intent, threadId, visibility, memberIds } = c.req.valid('json');
    const userId = c.get('principal').userId;
    const id = threadId ?? newId<ThreadId>();
    acceptedResult(
      await governance.perform(userId, 'thread.create', {
        threadId: id,
        workspaceId,
        title,
        ...(intent ? { intent } : {}),
        ...(visibility ? { visibility } : {}),
        ...(memberIds ? { memberIds } : {}),
      }),
    );
    return c.json(threads.get(userId, id), 201);
  });
  // The read model: full-text search with ranking and snippets, keyset pages.
  mount(app, listThreadsRoute, (c) => {
    const { workspaceId, status, q, cursor, limit } = c.req.valid('query');
    const page = listThreads(db, c.get('principal').userId, {
      ...(workspaceId ? { workspaceId } : {}),
      ...(status ? { status } : {}),
      ...(q ? { q } : {}),
      ...(cursor ? { after: cursor } : {}),
      ...(limit ? { limit } : {}),
    });
    return c.json({ threads: page.threads, nextCursor: page.next && encodeCursor(page.next) }, 200);
  });
  mount(app, getThreadRoute, (c) =>
    c.json(getThread(db, c.get('principal').userId, c.req.valid('param').id), 200),
  );
  return app;
}
