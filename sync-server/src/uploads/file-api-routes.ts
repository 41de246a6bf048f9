/**
 * `/api/files`: metadata of finished files and the caller's upload statistics (the bytes are
 * `/files`, `routes.ts`).
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ThreadId, UploadId } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import { cursorParam, keysetPage, limitParam } from '../http/cursor.js';
import { requireAuth, type AuthedEnv } from '../http/middleware.js';
import { answer, bearer, documentedAs, errors, mount, openApiApp } from '../http/openapi-route.js';
import { idSchema } from '../http/validate.js';
import { fileListSchema, fileSchema, fileStatsSchema } from './file-schemas.js';
import { MAX_FILE_LIST } from './upload-repo.js';
import type { UploadService } from './upload-service.js';

/** Where the next page starts: after this file (in the order files finished). */
const fileCursorSchema = z.object({ completedAt: z.number(), id: idSchema<UploadId>() });

export const listSchema = z.object({
  threadId: idSchema<ThreadId>(),
  limit: limitParam(MAX_FILE_LIST).optional(),
  cursor: cursorParam(fileCursorSchema).optional(),
});

const tags = ['files'];
const security = bearer;

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: "A thread's files",
  tags,
  security,
  request: { query: listSchema },
  responses: { 200: answer(fileListSchema), ...errors },
});
const statsRoute = createRoute({
  method: 'get',
  path: '/stats',
  summary: "The caller's upload statistics and quota",
  tags,
  security,
  responses: { 200: answer(fileStatsSchema), ...errors },
});
const fileRoute = createRoute({
  method: 'get',
  path: '/{id}',
  summary: "A file's metadata",
  tags,
  security,
  request: { params: z.object({ id: idSchema<UploadId>() }) },
  responses: { 200: answer(fileSchema), ...errors },
});

export function fileApiRoutes({ auth, service }: { auth: AuthService; service: UploadService }) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, listRoute, (c) => {
    const { threadId, limit = MAX_FILE_LIST, cursor } = c.req.valid('query');
    const userId = c.get('principal').userId;
    const page = keysetPage(
      limit,
      (n) => service.list(userId, threadId, { limit: n, ...(cursor ? { after: cursor } : {}) }),
      (last) => ({ completedAt: last.completedAt, id: last.id }),
    );
    return c.json(documentedAs(fileListSchema, { files: page.items, nextCursor: page.nextCursor }), 200);
  });
  mount(app, statsRoute, (c) =>
    c.json(documentedAs(fileStatsSchema, service.stats(c.get('principal').userId)), 200),
  );
  mount(app, fileRoute, (c) => {
    const file = service.readable(c.get('principal').userId, c.req.valid('param').id);
    return c.json(documentedAs(fileSchema, file), 200);
  });
  return app;
}
