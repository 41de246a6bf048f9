import { Hono } from 'hono';
import { z } from 'zod';
import { THREAD_STATUSES, type ThreadId, type WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { ThreadService } from '../../workspaces/thread-service.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { idParam, idSchema as id, jsonBody, query } from '../validate.js';

/** Longest search string; longer ones are not a search but a payload. */
const MAX_QUERY_CHARS = 200;

function createSchema(maxFieldChars: number) {
  return z.object({
    workspaceId: id<WorkspaceId>(),
    title: z.string().trim().min(1).max(maxFieldChars),
    intent: z.string().trim().max(maxFieldChars).optional(),
    threadId: id<ThreadId>().optional(),
  });
}

const listSchema = z.object({
  workspaceId: id<WorkspaceId>(),
  status: z.enum(THREAD_STATUSES).optional(),
  q: z.string().trim().max(MAX_QUERY_CHARS).optional(),
});

/** `/api/threads`. */
export function threadRoutes(deps: { auth: AuthService; threads: ThreadService; maxFieldChars: number }) {
  const { auth, threads } = deps;
  const create = createSchema(deps.maxFieldChars);
  return (
    new Hono<AuthedEnv>()
      .use('*', requireAuth(auth))
      // TODO(intents): route through a `thread.create` intent once the intent engine exists (DESIGN §5).
      .post('/', async (c) => {
        const { workspaceId, title, intent, threadId } = await jsonBody(c, create);
        const thread = threads.create(c.get('principal').userId, {
          workspaceId,
          title,
          ...(intent ? { intent } : {}),
          ...(threadId ? { threadId } : {}),
        });
        return c.json(thread, 201);
      })
      .get('/', (c) => {
        const { workspaceId, status, q } = query(c, listSchema);
        const list = threads.list(c.get('principal').userId, {
          workspaceId,
          ...(status ? { status } : {}),
          ...(q ? { q } : {}),
        });
        return c.json({ threads: list });
      })
      .get('/:id', (c) => c.json(threads.get(c.get('principal').userId, idParam<ThreadId>(c, 'id'))))
  );
}
