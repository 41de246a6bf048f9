/**
 * The system notices' part of the OpenAPI document (`openapi.ts` adds these operations): the
 * request schema is the one the route validates with.
 */
import { z } from 'zod';
import type { Operation } from './openapi.js';
import { postNoticeSchema } from './routes/notices.js';
import { idSchema } from './validate.js';
import { currentNoticeSchema, noticeSchema } from './routes/admin-schemas.js';

/** `[method, path, operation]` of each notice route. */
export function noticeOperations(
  named: <S extends z.ZodType>(name: string, schema: S) => S,
): Array<['get' | 'post' | 'delete', string, Operation]> {
  const notice = named('Notice', noticeSchema);
  const tag = 'operations';
  return [
    [
      'get',
      '/api/admin/notices',
      {
        summary: 'Every system notice, newest first (instance admins)',
        tag,
        ok: [200, z.looseObject({ notices: z.array(notice) })],
      },
    ],
    [
      'post',
      '/api/admin/notices',
      {
        summary: 'Posts a notice to every user or one workspace; it goes out at `startsAt` (instance admins)',
        tag,
        body: postNoticeSchema,
        ok: [201, notice],
      },
    ],
    [
      'delete',
      '/api/admin/notices/{id}',
      {
        summary:
          'Withdraws a notice: its banner goes, and it is never delivered if not yet (instance admins)',
        tag,
        params: z.object({ id: idSchema() }),
        ok: [200, notice],
      },
    ],
    [
      'get',
      '/api/notices',
      {
        summary: "The notices current now for the caller: everyone's and their workspaces' (the banner)",
        tag: 'governance',
        ok: [200, z.looseObject({ notices: z.array(currentNoticeSchema) })],
      },
    ],
  ];
}
