/**
 * `/api/files`: metadata of finished files and the caller's upload statistics (the bytes are
 * `/files`, `routes.ts`).
 */
import { z } from 'zod';
import type { ThreadId, UploadId } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import { cursorParam, keysetPage, limitParam } from '../http/cursor.js';
import { requireAuth, type AuthedEnv } from '../http/middleware.js';
import { answer, mount, openApiApp, routesOf } from '../http/openapi-route.js';
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

const route = routesOf('files');

const listRoute = route('get', '/', "A thread's files", {
  request: { query: listSchema },
  responses: { 200: answer(fileListSchema) },
});
const statsRoute = route('get', '/stats', "The caller's upload statistics and quota", {
  responses: { 200: answer(fileStatsSchema) },
});
const fileRoute = route('get', '/{id}', "A file's metadata", {
  request: { params: z.object({ id: idSchema<UploadId>() }) },
  responses: { 200: answer(fileSchema) },
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
    return c.json({ files: page.items, nextCursor: page.nextCursor }, 200);
  });
  mount(app, statsRoute, (c) => c.json(service.stats(c.get('principal').userId), 200));
  mount(app, fileRoute, (c) => {
    const file = service.readable(c.get('principal').userId, c.req.valid('param').id);
    return c.json(file, 200);
  });
  return app;
}
