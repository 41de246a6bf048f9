/**
 * Avatar routes: `GET /api/users/:id/avatar` (the 300×300 image, for the user themselves and
 * anyone sharing a workspace with them) and `DELETE /api/me/avatar`. Uploading one is tus at
 * `/files` with `purpose: avatar` (`tus.ts`, `avatars.ts`).
 */
import { Hono } from 'hono';
import type { UserId } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import { requireAuth, type AuthedEnv } from '../http/middleware.js';
import { idParam } from '../http/validate.js';
import { AVATAR_TYPE, type Avatars } from './avatars.js';
import { sendFile } from './download.js';

/** How long a browser may show an avatar without asking again (it revalidates with the ETag after). */
export const AVATAR_MAX_AGE_S = 300;

export interface AvatarRouteDeps {
  auth: AuthService;
  avatars: Avatars;
}

/** Mounted at `/api/users`. */
export function userAvatarRoutes({ auth, avatars }: AvatarRouteDeps) {
  return new Hono<AuthedEnv>().use('*', requireAuth(auth)).get('/:id/avatar', async (c) => {
    const target = idParam<UserId>(c, 'id');
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
}

/** Mounted at `/api/me/avatar`. */
export function ownAvatarRoutes({ auth, avatars }: AvatarRouteDeps) {
  return new Hono<AuthedEnv>().use('*', requireAuth(auth)).delete('/', async (c) => {
    await avatars.remove(c.get('principal').userId);
    return c.body(null, 204);
  });
}
