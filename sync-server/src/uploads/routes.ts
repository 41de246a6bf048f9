/**
 * HTTP routes of files: the tus endpoint and downloads under `/files`, metadata under `/api/files`
 * (DESIGN §5, §7). Thin: authenticate, check the id, hand over to tus or the upload service.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { API_ERRORS, type ApiErrorCode, type ThreadId, type UploadId } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import { ApiError } from '../errors.js';
import { requireAuth, type AuthedEnv } from '../http/middleware.js';
import { idParam, idSchema, query } from '../http/validate.js';
import { downloadHeaders } from './download-headers.js';
import { THUMBNAIL_TYPE } from './thumbnails.js';
import type { CaucusTus } from './tus.js';
import type { UploadService } from './upload-service.js';

const TUS_RESUMABLE = '1.0.0';

export interface FileRouteDeps {
  auth: AuthService;
  service: UploadService;
  tus: CaucusTus;
}

/** `/files`: tus (POST, HEAD, PATCH, OPTIONS), downloads (GET), deletion (DELETE). */
export function fileRoutes({ auth, service, tus }: FileRouteDeps) {
  const app = new Hono<AuthedEnv>();
  const authed = requireAuth(auth);

  // Discovery and CORS preflight carry no credentials by design; they reveal nothing but the
  // server's tus capabilities.
  app.options('*', async (c) => jsonErrors(await tus.handleOptions(c.req.raw)));

  const create = async (c: Context<AuthedEnv>) => {
    const res = await jsonErrors(await tus.handle(c.req.raw, c.get('principal')));
    const id = tus.createdBy(c.req.raw);
    // A creation that failed after admission (a cut creation-with-upload, a full disk) leaves no
    // URL with the client, so nothing could ever resume it.
    if (id !== undefined && res.status >= 400) await service.abandon(id);
    return res;
  };
  app.post('/', authed, create);
  // `/files/` too (the endpoint as tus clients usually write it): an empty last segment.
  app.post('/:trailingSlash{.{0}}', authed, create);

  // Hono answers HEAD with the GET route; for tus, HEAD is "how far is this upload".
  app.get('/:id', authed, async (c) => {
    const principal = c.get('principal');
    const id = idParam<UploadId>(c, 'id');
    if (c.req.method === 'HEAD') {
      const row = service.forUploader(principal.userId, id, 'status');
      if (row.status === 'complete') return finishedHead(row.size ?? 0);
      return jsonErrors(await tus.handle(c.req.raw, principal));
    }
    const file = service.readable(principal.userId, id);
    const headers = downloadHeaders(file);
    if (c.req.header('if-none-match') === headers.ETag) return new Response(null, { status: 304, headers });
    return sendFile(service.localPath(id), headers);
  });

  app.patch('/:id', authed, async (c) => {
    const principal = c.get('principal');
    const row = service.forUploader(principal.userId, idParam<UploadId>(c, 'id'), 'write');
    if (row.status === 'complete') {
      throw new ApiError('conflict', 'this upload is already complete');
    }
    return jsonErrors(await tus.handle(c.req.raw, principal));
  });

  app.delete('/:id', authed, async (c) => {
    await service.delete(c.get('principal').userId, idParam<UploadId>(c, 'id'));
    const headers: Record<string, string> = {};
    if (c.req.header('tus-resumable')) headers['Tus-Resumable'] = TUS_RESUMABLE;
    return new Response(null, { status: 204, headers });
  });

  app.get('/:id/thumbnail', authed, async (c) => {
    const path = await service.thumbnail(c.get('principal').userId, idParam<UploadId>(c, 'id'));
    return sendFile(path, {
      'Content-Type': THUMBNAIL_TYPE,
      'Content-Disposition': 'inline',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': 'sandbox',
      'Cache-Control': 'private, no-cache',
    });
  });

  return app;
}

export const listSchema = z.object({ threadId: idSchema<ThreadId>() });

/** `/api/files`: metadata of finished files and the caller's upload statistics. */
export function fileApiRoutes({ auth, service }: Pick<FileRouteDeps, 'auth' | 'service'>) {
  return new Hono<AuthedEnv>()
    .use('*', requireAuth(auth))
    .get('/', (c) => {
      const { threadId } = query(c, listSchema);
      return c.json({ files: service.list(c.get('principal').userId, threadId) });
    })
    .get('/stats', (c) => c.json(service.stats(c.get('principal').userId)))
    .get('/:id', (c) => c.json(service.readable(c.get('principal').userId, idParam<UploadId>(c, 'id'))));
}

/** A tus HEAD answer for a finished upload (no lock, no expiry: finished files do not expire). */
function finishedHead(size: number): Response {
  return new Response(null, {
    status: 200,
    headers: {
      'Tus-Resumable': TUS_RESUMABLE,
      'Upload-Offset': String(size),
      'Upload-Length': String(size),
      'Cache-Control': 'no-store',
    },
  });
}

async function sendFile(path: string, headers: Record<string, string>): Promise<Response> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new ApiError('not-found', 'file not found');
  }
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Length': String(size) } });
}

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
    const message = res.status >= 500 ? 'internal server error' : text.trim() || code;
    body = JSON.stringify({ error: { code, message } });
  }
  const headers = new Headers(res.headers);
  headers.set('Content-Type', 'application/json');
  headers.delete('Content-Length');
  return new Response(body, { status: res.status, headers });
}

function codeForStatus(status: number): ApiErrorCode {
  const exact = (Object.keys(API_ERRORS) as ApiErrorCode[]).find((code) => API_ERRORS[code] === status);
  if (exact) return exact;
  return status >= 500 ? 'internal' : 'bad-request';
}
