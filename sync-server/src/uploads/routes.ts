/**
 * HTTP routes of files: the tus endpoint and downloads under `/files` (DESIGN §5, §7); metadata
 * under `/api/files` is `file-api-routes.ts`. Thin: authenticate, check the id, hand over to tus or the upload service.
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { API_ERRORS, type ApiErrorBody, type ApiErrorCode, type UploadId } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import type { Avatars } from './avatars.js';
import { ApiError } from '../errors.js';
import { requireAuth, type AuthedEnv } from '../http/middleware.js';
import { retryAfterValue } from '../http/rate-limited.js';
import { idParam } from '../http/validate.js';
import { sendFile } from './download.js';
import { downloadHeaders } from './download-headers.js';
import { THUMBNAIL_TYPE } from './thumbnails.js';
import type { CaucusTus } from './tus.js';
import type { UploadService } from './upload-service.js';

const TUS_RESUMABLE = '1.0.0';
/** Every tus version this server speaks (`Tus-Version`). */
const TUS_VERSIONS = TUS_RESUMABLE;

export interface FileRouteDeps {
  auth: AuthService;
  service: UploadService;
  avatars: Avatars;
  tus: CaucusTus;
}

/** `/files`: tus (POST, HEAD, PATCH, OPTIONS), downloads (GET), deletion (DELETE). */
export function fileRoutes({ auth, service, avatars, tus }: FileRouteDeps) {
  const app = new Hono<AuthedEnv>();
  const authed = requireAuth(auth);
  app.use('*', tusAnswers);

  // Discovery carries no credentials by design and reveals nothing but the server's tus
  // capabilities. (Preflights from allowed origins are answered before this, by `http/cors.ts`.)
  app.options('*', async (c) => jsonErrors(await tus.handleOptions(c.req.raw)));

  const create = async (c: Context<AuthedEnv>) => {
    const res = await jsonErrors(await tus.handle(c.req.raw, c.get('principal')));
    const id = tus.createdBy(c.req.raw);
    // A creation that failed after admission (a cut creation-with-upload, a full disk) leaves no
    // URL with the client, so nothing could ever resume it.
    if (id !== undefined && res.status >= 400) {
      await avatars.abandon(id);
      await service.abandon(id);
    }
    return res;
  };
  app.post('/', authed, create);
  // `/files/` too (the endpoint as tus clients usually write it): an empty last segment.
  app.post('/:trailingSlash{.{0}}', authed, create);

  // Hono answers HEAD with the GET route. HEAD of a finished file is both what a download would
  // say (length, type, ranges) and, for tus, that the upload is complete; of an unfinished one,
  // tus's "how far is this upload" (the uploader only).
  app.get('/:id', authed, async (c) => {
    const principal = c.get('principal');
    const id = idParam<UploadId>(c, 'id');
    // An unfinished avatar upload is tus's alone to answer (its uploader only).
    if (c.req.method === 'HEAD' && avatars.owns(principal.userId, id))
      return jsonErrors(await tus.handle(c.req.raw, principal));
    if (c.req.method === 'HEAD') {
      const file = service.findReadable(principal.userId, id);
      if (file) {
        const res = await sendFile(c, service.localPath(id), downloadHeaders(file));
        for (const [name, value] of Object.entries(finishedTusHeaders(file.size)))
          res.headers.set(name, value);
        return res;
      }
      const row = service.forUploader(principal.userId, id, 'status');
      if (row.status === 'complete')
        return new Response(null, { headers: finishedTusHeaders(row.size ?? 0) });
      return jsonErrors(await tus.handle(c.req.raw, principal));
    }
    const file = service.readable(principal.userId, id);
    return sendFile(c, service.localPath(id), downloadHeaders(file));
  });

  app.patch('/:id', authed, async (c) => {
    const principal = c.get('principal');
    const id = idParam<UploadId>(c, 'id');
    if (avatars.owns(principal.userId, id)) return jsonErrors(await tus.handle(c.req.raw, principal));
    const row = service.forUploader(principal.userId, id, 'write');
    if (row.status === 'complete') {
      throw new ApiError('conflict', 'this upload is already complete');
    }
    return jsonErrors(await tus.handle(c.req.raw, principal));
  });

  app.delete('/:id', authed, async (c) => {
    const userId = c.get('principal').userId;
    const id = idParam<UploadId>(c, 'id');
    if (avatars.owns(userId, id)) await avatars.abandon(id);
    else await service.delete(userId, id);
    const headers: Record<string, string> = {};
    if (c.req.header('tus-resumable')) headers['Tus-Resumable'] = TUS_RESUMABLE;
    return new Response(null, { status: 204, headers });
  });

  app.get('/:id/thumbnail', authed, async (c) => {
    const path = await service.thumbnail(c.get('principal').userId, idParam<UploadId>(c, 'id'));
    return sendFile(c, path, {
      'Content-Type': THUMBNAIL_TYPE,
      'Content-Disposition': 'inline',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': 'sandbox',
      'Cache-Control': 'private, no-cache',
    });
  });

  return app;
}

/** What tus says of a finished upload (no lock, no expiry: finished files do not expire). */
function finishedTusHeaders(size: number): Record<string, string> {
  return {
    'Tus-Resumable': TUS_RESUMABLE,
    'Upload-Offset': String(size),
    'Upload-Length': String(size),
    'Cache-Control': 'no-store',
  };
}

/**
 * What tus 1.0 requires of every answer, whoever made it (tus, our routes, auth, the error
 * handler): `Tus-Resumable` on all but OPTIONS and downloads, `Tus-Version` with a 412; and a
 * client asking for a version we do not speak gets that 412 rather than tus's 400.
 */
const tusAnswers = createMiddleware(async (c, next) => {
  const method = c.req.method;
  if (method === 'OPTIONS' || method === 'GET') return next();
  const asked = c.req.header('tus-resumable');
  if (asked !== undefined && asked !== TUS_RESUMABLE) {
    const body: ApiErrorBody = {
      error: {
        code: 'precondition-failed',
        message: `tus ${asked} is not supported; this server speaks tus ${TUS_VERSIONS}`,
      },
    };
    return c.json(body, 412, { 'Tus-Resumable': TUS_RESUMABLE, 'Tus-Version': TUS_VERSIONS });
  }
  await next();
  c.res.headers.set('Tus-Resumable', TUS_RESUMABLE);
  if (c.res.status === 412) c.res.headers.set('Tus-Version', TUS_VERSIONS);
});

/**
 * tus answers errors in plain text; the API answers `{ error: { code, message } }` everywhere.
 * Bodies our hooks produced are JSON already; 5xx details never leave the server.
 */
export async function jsonErrors(res: Response): Promise<Response> {
  if (res.status < 400) return res;
  const text = await res.text();
  const code = codeForStatus(res.status);
  let body: string;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown } };
    if (typeof parsed.error?.code !== 'string') throw new Error('not ours');
    body = text;
  } catch {
    body = JSON.stringify({ error: { code, message: plainMessage(res.status, text) } });
  }
  const headers = new Headers(res.headers);
  headers.set('Content-Type', 'application/json');
  headers.delete('Content-Length');
  if (res.status === 429 && !headers.has('retry-after'))
    headers.set('Retry-After', retryAfterValue(undefined));
  return new Response(body, { status: res.status, headers });
}

/**
 * Concatenation (tus-js-client's `parallelUploads`) is the one extension we lack, and the
 * client can do without it; other 5xx details never leave the server.
 */
const CONCATENATION_MESSAGE =
  'the tus concatenation extension (parallel uploads) is not supported: send each file as one upload ' +
  '(tus-js-client: parallelUploads: 1)';

function plainMessage(status: number, text: string): string {
  if (status === 501) return CONCATENATION_MESSAGE;
  if (status >= 500) return 'internal server error';
  return text.trim() || codeForStatus(status);
}

function codeForStatus(status: number): ApiErrorCode {
  const exact = (Object.keys(API_ERRORS) as ApiErrorCode[]).find((code) => API_ERRORS[code] === status);
  if (exact) return exact;
  return status >= 500 ? 'internal' : 'bad-request';
}
