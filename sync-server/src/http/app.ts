import type { BlankEnv } from 'hono/types';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { API_ERRORS, type ApiErrorBody, type ApiErrorCode, type UserId } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import { AuthThrottle } from '../auth/throttle.js';
import type { ServerConfig } from '../config.js';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { GovernanceService } from '../governance/governance-service.js';
import { InvitationService } from '../governance/invitation-service.js';
import type { Db } from '../storage/db.js';
import type { JobStore } from '../jobs/job-store.js';
import { SqliteJobStore } from '../jobs/sqlite-job-store.js';
import { ownAvatarRoutes, userAvatarRoutes } from '../uploads/avatar-routes.js';
import { fileApiRoutes } from '../uploads/file-api-routes.js';
import { fileRoutes } from '../uploads/routes.js';
import type { Uploads } from '../uploads/setup.js';
import type { ThreadService } from '../workspaces/thread-service.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import { apiCors } from './cors.js';
import { noStore, requestLog } from './middleware.js';
import { openApiApp } from './openapi-route.js';
import { apiDocument, operationRoutes, registerSecurity } from './routes/operations.js';
import { retryAfterValue } from './rate-limited.js';
import { requestMetrics } from './request-metrics.js';
import { securityHeaders } from './security-headers.js';
import { adminRoutes } from './routes/admin.js';
import { DEFAULT_WEB_DIR, loadWebApp, serveWebApp, webAppRoutes } from './web-app.js';
import { auditRoutes } from './routes/audit.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { authRoutes } from './routes/auth.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { checkpointRoutes, decisionRoutes } from './routes/decisions.js';
import { inboxRoutes } from './routes/inbox.js';
import { noticeRoutes } from './routes/notices.js';
import { intentRoutes } from './routes/intents.js';
import { receiptRoutes } from './routes/receipts.js';
import { invitationRoutes } from './routes/invitations.js';
import { threadRoutes } from './routes/threads.js';
import { tokenRoutes } from './routes/tokens.js';
import { workspaceRoutes } from './routes/workspaces.js';

/** Largest request body under `/api`; JSON commands are small, uploads go through tus at `/files/`. */
export const API_BODY_LIMIT_BYTES = 64 * 1024;

export interface AppDeps {
  db: Db;
  config: ServerConfig;
  auth: AuthService;
  workspaces: WorkspaceService;
  threads: ThreadService;
  metrics: Metrics;
  logger: Logger;
  version: string;
  /** Extra fields for `/healthz` (e.g. loaded documents, open connections). */
  extraHealth?: () => Record<string, unknown>;
  /** Intents, decisions, inboxes, audit. Without one, an unpublishing instance is made (HTTP-only tests). */
  governance?: GovernanceService;
  /** tus uploads at `/files`, file metadata at `/api/files` (DESIGN §7). */
  uploads?: Uploads;
  /** The job queue `/api/admin/jobs` shows; one on `db` when absent. */
  jobs?: JobStore;
}

/** The HTTP app: health, metrics, the PWA (or a landing page) and the JSON API (DESIGN §5). */
export function createApp(deps: AppDeps): Hono {
  const { auth, workspaces, threads, metrics, logger, version } = deps;
  const governance =
    deps.governance ?? new GovernanceService({ db: deps.db, workspaces, threads, logger, metrics });
  const app = openApiApp<BlankEnv>();
  registerSecurity(app);

  app.use('*', requestMetrics(metrics));
  app.use('*', requestLog(logger));
  app.use('*', securityHeaders());
  app.use(
    '*',
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        errorResponse(
          c,
          'method-not-allowed',
          `${c.req.method} is not allowed here; use ${methods.join(', ')}`,
          {
            Allow: methods.join(', '),
          },
        ),
    }),
  );
  const cors = apiCors(deps.config.origins);
  app.use('/api/*', cors);
  app.use('/files/*', cors);

  // The PWA when it is built (web-app.ts), else a plain page saying what runs here.
  const web = loadWebApp(deps.config.webDir ?? DEFAULT_WEB_DIR);
  if (!web) app.get('/', (c) => c.html(landingPage(version)));

  app.use('/api/*', noStore);
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: API_BODY_LIMIT_BYTES,
      onError: () => {
        throw new ApiError(
          'payload-too-large',
          `request bodies under /api are limited to ${API_BODY_LIMIT_BYTES} bytes`,
        );
      },
    }),
  );
  // After the `/api/*` middleware, which the document's route passes too.
  app.route(
    '/',
    operationRoutes({
      metrics,
      version,
      ...(deps.extraHealth ? { extraHealth: deps.extraHealth } : {}),
      document: () => apiDocument(app, version),
    }),
  );
  const throttle = new AuthThrottle(deps.config.authThrottle, {
    onRefused: (scope) => metrics.rateLimited.inc({ scope }),
  });
  const avatars = deps.uploads?.avatars;
  const avatarOf = avatars ? (id: UserId) => avatars.info(id)?.updatedAt ?? null : undefined;
  app.route('/api', authRoutes({ auth, throttle, ...(avatarOf ? { avatarOf } : {}) }));
  app.route('/api/tokens', tokenRoutes({ auth, throttle }));
  app.route(
    '/api/invitations',
    invitationRoutes({ auth, invitations: new InvitationService(governance), throttle }),
  );
  app.route('/api/workspaces', workspaceRoutes({ auth, workspaces, governance }));
  app.route(
    '/api/threads',
    threadRoutes({ db: deps.db, auth, threads, governance, maxFieldChars: deps.config.limits.maxFieldChars }),
  );
  app.route('/api/dashboard', dashboardRoutes({ db: deps.db, auth }));
  app.route('/api/intents', intentRoutes({ auth, governance }));
  app.route('/api/receipts', receiptRoutes({ governance }));
  app.route('/api/decisions', decisionRoutes({ auth, governance }));
  app.route('/api/checkpoints', checkpointRoutes({ auth, governance }));
  app.route('/api/inbox', inboxRoutes({ auth, governance }));
  app.route('/api/notices', noticeRoutes({ auth, governance }));
  app.route('/api/audit', auditRoutes({ auth, governance }));
  app.route('/api/unsubscribe', unsubscribeRoutes({ governance, secret: deps.config.jwtSecret }));
  app.route(
    '/api/admin',
    adminRoutes({
      db: deps.db,
      auth,
      jobs: deps.jobs ?? new SqliteJobStore(deps.db),
      governance,
      adminEmails: deps.config.adminEmails,
    }),
  );
  if (deps.uploads) {
    const { service, avatars, tus } = deps.uploads;
    app.route('/api/files', fileApiRoutes({ auth, service }));
    app.route('/api/users', userAvatarRoutes({ auth, avatars }));
    app.route('/api/me/avatar', ownAvatarRoutes({ auth, avatars }));
    // Outside `/api`: no 64 KiB body limit here, tus enforces the upload limit itself.
    app.route('/files', fileRoutes({ auth, service, avatars, tus }));
  }

  if (web) {
    const serve = serveWebApp(web);
    for (const route of webAppRoutes(web)) app.get(route, serve);
  }

  app.notFound((c) => errorResponse(c, 'not-found', `no route for ${c.req.method} ${c.req.path}`));

  app.onError((err, c) => {
    if (err instanceof ApiError)
      return errorResponse(c, err.code, err.message, retryHeaders(err.code, err.retryAfterSeconds));
    if (err instanceof HTTPException) {
      const code = codeForStatus(err.status);
      if (API_ERRORS[code] >= 500)
        logger.error({ err, method: c.req.method, path: c.req.path }, 'HTTP exception');
      return errorResponse(c, code, err.message || code, retryHeaders(code, undefined));
    }
    // Unknown failures are bugs: the details go to the log, the client gets a code and nothing else.
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return errorResponse(c, 'internal', 'internal server error');
  });

  return app;
}

function errorResponse(
  c: Context,
  code: ApiErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body: ApiErrorBody = { error: { code, message } };
  return c.json(body, API_ERRORS[code], headers);
}

/** Every 429, whoever threw it, says when to come back. */
function retryHeaders(code: ApiErrorCode, seconds: number | undefined): Record<string, string> {
  const status = API_ERRORS[code];
  if (status === 429) return { 'Retry-After': retryAfterValue(seconds) };
  return seconds !== undefined && status === 503 ? { 'Retry-After': retryAfterValue(seconds) } : {};
}

function codeForStatus(status: number): ApiErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload-too-large';
    case 429:
      return 'rate-limited';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : 'bad-request';
  }
}

function landingPage(version: string): string {
  const v = escapeHtml(version);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Caucus</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Caucus is running</h1>
<p>Version ${v}.</p>
<ul>
<li><a href="/healthz">/healthz</a> — health check</li>
<li><code>/api</code> — the JSON API (for example <code>POST /api/auth/signup</code>, <code>GET /api/me</code>)</li>
<li><code>/sync/&lt;document&gt;</code> — WebSocket sync (y-websocket protocol)</li>
</ul>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
