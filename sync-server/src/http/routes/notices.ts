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
import { answer, jsonRequest, mount, openApiApp, routesOf } from '../openapi-route.js';
import { idSchema } from '../validate.js';
import { currentNoticeSchema, noticeSchema } from './admin-schemas.js';

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

const route = routesOf('operations');
const governanceRoute = routesOf('governance');

const listRoute = route('get', '/', 'Every system notice, newest first (instance admins)', {
  responses: { 200: answer(z.looseObject({ notices: z.array(noticeSchema) })) },
});
const postRoute = route(
  'post',
  '/',
  'Posts a notice to every user or one workspace; it goes out at `startsAt` (instance admins)',
  { request: { body: jsonRequest(postNoticeSchema) }, responses: { 201: answer(noticeSchema) } },
);
const withdrawRoute = route(
  'delete',
  '/{id}',
  'Withdraws a notice: its banner goes, and it is never delivered if not yet (instance admins)',
  { request: { params: z.object({ id: idSchema() }) }, responses: { 200: answer(noticeSchema) } },
);
const currentRoute = governanceRoute(
  'get',
  '/',
  "The notices current now for the caller: everyone's and their workspaces' (the banner)",
  { responses: { 200: answer(z.looseObject({ notices: z.array(currentNoticeSchema) })) } },
);

/** `/api/admin/notices`, mounted inside the admin routes (instance admins only). */
export function adminNoticeRoutes({ governance }: { governance: GovernanceService }) {
  const app = openApiApp<AuthedEnv>();
  mount(app, listRoute, async (c) => {
    const notices = await governance.apply((ctx) => listNotices(ctx.db));
    return c.json({ notices }, 200);
  });
  mount(app, postRoute, async (c) => {
    const input = c.req.valid('json');
    const userId = c.get('principal').userId;
    const notice = await governance.apply((ctx) => postNotice(ctx, userId, input));
    return c.json(notice, 201);
  });
  mount(app, withdrawRoute, async (c) => {
    const id = c.req.valid('param').id;
    const notice = await governance.apply((ctx) => withdrawNotice(ctx, id));
    if (!notice) throw new ApiError('not-found', 'no such notice');
    return c.json(notice, 200);
  });
  return app;
}

/** `/api/notices`: the notices current now for the caller (the PWA's banner). */
export function noticeRoutes({ auth, governance }: { auth: AuthService; governance: GovernanceService }) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, currentRoute, async (c) => {
    const userId = c.get('principal').userId;
    const notices = await governance.apply((ctx) => currentNotices(ctx.db, userId, ctx.now()));
    return c.json({ notices }, 200);
  });
  return app;
}
