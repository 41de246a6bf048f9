/**
 * The tus 1.0 server (@tus/server over @tus/file-store): creation, creation-with-upload,
 * creation-defer-length, termination and expiration, with Caucus's rules plugged into its hooks.
 * Requests reach it already authenticated (see `routes.ts`); the principal travels with the
 * request object.
 */
import { Server, type ServerOptions } from '@tus/server';
import { AVATAR_PURPOSE, FILES_PATH, isId, newId, UPLOAD_METADATA, type UploadId } from '@caucus/schema';
import type { Principal } from '../auth/auth-service.js';
import { ApiError } from '../errors.js';
import { retryAfterValue } from '../http/rate-limited.js';
import type { Logger } from '../logger.js';
import type { Avatars } from './avatars.js';
import { parseUploadMetadata } from './metadata.js';
import { TusError } from './tus-error.js';
import { LOCK_DRAIN_TIMEOUT_MS, type FileUploadBytes } from './upload-bytes.js';
import type { UploadService } from './upload-service.js';

export interface CaucusTus {
  /** Handles an authenticated tus request (`principal` is who sent it). */
  handle(request: Request, principal: Principal): Promise<Response>;
  /** Handles `OPTIONS` (discovery and CORS preflight), which carries no credentials. */
  handleOptions(request: Request): Promise<Response>;
  /** The upload a creation request made, if it got as far as being admitted. */
  createdBy(request: Request): UploadId | undefined;
  server: Server;
}

export function createTus(deps: {
  service: UploadService;
  avatars: Avatars;
  bytes: FileUploadBytes;
  logger: Logger;
}): CaucusTus {
  const { service, avatars, bytes, logger } = deps;
  const principals = new WeakMap<Request, Principal>();
  const created = new WeakMap<Request, UploadId>();
  const retryAfter = new WeakMap<Request, number | undefined>();

  const options: ServerOptions & { datastore: FileUploadBytes['store'] } = {
    path: FILES_PATH,
    datastore: bytes.store,
    locker: bytes.locker,
    lockDrainTimeout: LOCK_DRAIN_TIMEOUT_MS,
    maxSize: service.limits.maxUploadBytes,
    relativeLocation: true,
    // CORS is the app's, for `/api` and `/files` alike (`http/cors.ts`): tus adds none of its own.
    allowedOrigins: () => false,
    namingFunction: () => newId<UploadId>(),
    // The id is the last path segment and nothing else: no query string, no encoded separators.
    getFileIdFromRequest: (req) => {
      const last = new URL(req.url).pathname.split('/').pop();
      return last !== undefined && isId(last) ? last : undefined;
    },
    onUploadCreate: async (req, upload) => {
      const principal = principals.get(req);
      if (!principal) throw TusError.fromApi(new ApiError('unauthorized', 'authentication required'));
      const purpose = upload.metadata?.[UPLOAD_METADATA.purpose] ?? null;
      try {
        if (purpose === AVATAR_PURPOSE) {
          const filetype = upload.metadata?.[UPLOAD_METADATA.filetype] ?? null;
          await avatars.begin(principal.userId, upload.id as UploadId, filetype, upload.size ?? null);
        } else {
          if (purpose !== null) throw new ApiError('bad-request', `Upload-Metadata: unknown purpose`);
          const meta = parseUploadMetadata(upload.metadata);
          if (!meta.ok) throw new ApiError('bad-request', `Upload-Metadata: ${meta.message}`);
          service.begin(principal.userId, upload.id as UploadId, meta.value, upload.size ?? null);
        }
      } catch (err) {
        throw err instanceof ApiError ? TusError.fromApi(err) : err;
      }
      created.set(req, upload.id as UploadId);
      return {};
    },
    onUploadFinish: async (_req, upload) => {
      try {
        const id = upload.id as UploadId;
        if (avatars.isAvatarUpload(id)) await avatars.finish(id);
        else await service.finish(id);
      } catch (err) {
        throw err instanceof ApiError ? TusError.fromApi(err) : err;
      }
      return {};
    },
    onResponseError: (req, err) => {
      if (err instanceof TusError && err.status_code === 429) retryAfter.set(req, err.retryAfterSeconds);
      // tus errors carry a status; anything else is a bug, logged here and answered as a bare 500.
      if (!('status_code' in err)) {
        logger.error({ err, method: req.method }, 'upload request failed');
        return {
          status_code: 500,
          body: JSON.stringify({ error: { code: 'internal', message: 'internal server error' } }),
        };
      }
      return undefined;
    },
  };
  const server = new Server(options);

  return {
    server,
    async handle(request, principal) {
      principals.set(request, principal);
      const res = await server.handleWeb(request);
      if (retryAfter.has(request)) res.headers.set('Retry-After', retryAfterValue(retryAfter.get(request)));
      return res;
    },
    handleOptions: (request) => server.handleWeb(request),
    createdBy: (request) => created.get(request),
  };
}
