import { Hono } from 'hono';
import { z } from 'zod';
import { tables, type WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import {
  MAX_NOTICE_BODY_CHARS,
  MAX_NOTICE_TITLE_CHARS,
  currentNotices,
  listNotices,
  postNotice,
  withdrawNotice,
} from '../../governance/notices.js';
import { ApiError } from '../../errors.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { idParam, idSchema, jsonBody } from '../validate.js';

const time = z.number().int().min(0).max(8.64e15).describe('milliseconds since the epoch');

/** `POST /api/admin/notices`: what an instance admin posts. */
export const postNoticeSchema = z.strictObject({
  kind: z.enum(tables.NOTICE_KINDS).default('info'),
  title: z.string().trim().min(1).max(MAX_NOTICE_TITLE_CHARS),
  body: z.string().max(MAX_NOTICE_BODY_CHARS),
  workspaceId: idSchema<WorkspaceId>().nullable().optional().describe('absent or null: every user'),
  startsAt: time.optional().describe('when it goes out and its banner shows; now when absent'),
  endsAt: time.nullable().optional().describe('when its banner goes; absent or null: until withdrawn'),
});

/** `/api/admin/notices`, mounted inside the admin routes (instance admins only). */
export function adminNoticeRoutes({ governance }: { governance: GovernanceService }): Hono<AuthedEnv> {
  return new Hono<AuthedEnv>()
    .get('/', async (c) => c.json({ notices: await governance.apply((ctx) => listNotices(ctx.db)) }))
    .post('/', async (c) => {
      const input = await jsonBody(c, postNoticeSchema);
      const userId = c.get('principal').userId;
      return c.json(await governance.apply((ctx) => postNotice(ctx, userId, input)), 201);
    })
    .delete('/:id', async (c) => {
      const id = idParam(c, 'id');
      const notice = await governance.apply((ctx) => withdrawNotice(ctx, id));
      if (!notice) throw new ApiError('not-found', 'no such notice');
      return c.json(notice);
    });
}

/** `/api/notices`: the notices current now for the caller (the PWA's banner). */
export function noticeRoutes({
  auth,
  governance,
}: {
  auth: AuthService;
  governance: GovernanceService;
}): Hono<AuthedEnv> {
  return new Hono<AuthedEnv>().use('*', requireAuth(auth)).get('/', async (c) => {
    const userId = c.get('principal').userId;
    return c.json({
      notices: await governance.apply((ctx) => currentNotices(ctx.db, userId, ctx.now())),
    });
  });
}
