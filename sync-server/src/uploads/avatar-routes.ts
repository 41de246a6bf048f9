/**
 * Avatar routes: `GET /api/users/:id/avatar` (the 300×300 image, for the user themselves and
 * anyone sharing a workspace with them) and `DELETE /api/me/avatar`. Uploading one is tus at
 * `/files` with `purpose: avatar` (`tus.ts`, `avatars.ts`).
 */
import { z } from 'zod';
import type { UserId } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import { requireAuth, type AuthedEnv } from '../http/middleware.js';
import { mount, openApiApp, routesOf } from '../http/openapi-route.js';
import { idSchema } from '../http/validate.js';
import { AVATAR_TYPE, type Avatars } from './avatars.js';
import { sendFile } from './download.js';

/** How long a browser may show an avatar without asking again (it revalidates with the ETag after). */
export const AVATAR_MAX_AGE_S = 300;

export interface AvatarRouteDeps {
  auth: AuthService;
  avatars: Avatars;
}

const route = routesOf('files');

const avatarRoute = route(
  'get',
  '/{id}/avatar',
  "A user's avatar (300×300 WebP; the caller's own or a workspace fellow's)",
  {
    request: { params: z.object({ id: idSchema<UserId>() }) },
    responses: { 200: { description: 'the image (image/webp), with an ETag' } },
  },
);
const removeRoute = route(
  'delete',
  '/',
  "Remove the caller's avatar (upload one over tus with purpose: avatar)",
  { responses: { 204: { description: 'removed' } } },
);

/** Mounted at `/api/users`. */
export function userAvatarRoutes({ auth, avatars }: AvatarRouteDeps) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, avatarRoute, async (c) => {
    const target = c.req.valid('param').id;
    const { path, info } = await avatars.readable(c.get('principal').userId, target);
    return sendFile(c, path, {
      'Content-Type': AVATAR_TYPE,
      'Content-Disposition': 'inline',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': 'sandbox',
      'Cache-Control': `private, max-age=${AVATAR_MAX_AGE_S}`,
      ETag: `"${target}-${info.version}"`,
    });
  });
  return app;
}

/** Mounted at `/api/me/avatar`. */
export function ownAvatarRoutes({ auth, avatars }: AvatarRouteDeps) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, removeRoute, async (c) => {
    await avatars.remove(c.get('principal').userId);
    return c.body(null, 204);
  });
  return app;
}
