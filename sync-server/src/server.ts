/**
 * Composes the Caucus server: one Node HTTP server carrying the Hono app (API, health, metrics,
 * page) and the sync WebSockets, one SQLite database, one sync hub.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { CLOSE_CODES, threadDoc, type UserId } from '@caucus/schema';
import type { ServerConfig } from './config.js';
import { AuthService } from './auth/auth-service.js';
import { GovernanceService } from './governance/governance-service.js';
import type { InvitationSender } from './governance/invitation-sender.js';
import { createApp } from './http/app.js';
import { answerNotFound, hasDotSegment } from './http/dot-segments.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { ReadModel } from './projection/read-model.js';
import { receiptKeysDir } from './receipts/key-files.js';
import { FileReceiptKeyring } from './receipts/keyring.js';
import { lockDataDir, type DataDirLock } from './storage/data-dir-lock.js';
import { openDb, type Db } from './storage/db.js';
import { accessibleToOthers, makePrivateDir, touchPrivateFile } from './storage/file-modes.js';
import { SqliteDocStore } from './storage/sqlite-doc-store.js';
import { createBackgroundJobs } from './jobs/background.js';
import type { JobRunner } from './jobs/job-runner.js';
import { emailQueue } from './email/email-job.js';
import { SqliteJobStore } from './jobs/sqlite-job-store.js';
import { SyncHub } from './sync/hub.js';
import { attachSyncTransport } from './sync/ws-transport.js';
import { uploadNotification } from './uploads/notification.js';
import { createUploads, uploadDirs } from './uploads/setup.js';
import type { UploadService } from './uploads/upload-service.js';
import { docAccess } from './workspaces/access.js';
import { ThreadService } from './workspaces/thread-service.js';
import { WorkspaceService } from './workspaces/workspace-service.js';
import { VERSION } from './version.js';

export interface RunningServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  port: number;
  http: Server;
  db: Db;
  hub: SyncHub;
  auth: AuthService;
  workspaces: WorkspaceService;
  threads: ThreadService;
  /** Intents, decisions, checkpoints, inboxes, audit; `notify`/`notifyThreadMembers` for other modules. */
  governance: GovernanceService;
  /** The projection of thread documents into SQLite, and the workspace catalogs made from it. */
  readModel: ReadModel;
  uploads: UploadService;
  /** The durable job queue (same database) and the runner that works it. */
  jobs: { store: SqliteJobStore; runner: JobRunner };
  metrics: Metrics;
  logger: Logger;
  /** Stops accepting, commits what is queued, closes connections with 1001, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Where invitations go by mail (the SMTP seam); without one only existing accounts see theirs. */
  invitationSender?: InvitationSender;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  makePrivateDir(config.dataDir);
  // Before anything in the data dir is opened: a second server on it exits here (DataDirLockedError).
  const lock = lockDataDir(config.dataDir);
  try {
    return await startLocked(config, options, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(
  config: ServerConfig,
  options: StartOptions,
  lock: DataDirLock,
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Made on the first start and kept in the data dir, like the JWT secret; before anything opens,
  // so that a broken key folder stops the start cleanly.
  const receiptKeys = new FileReceiptKeyring(receiptKeysDir(config.dataDir), { logger });
  const dbPath = join(config.dataDir, 'caucus.db');
  // Older versions made these readable by every local user; existing modes are the operator's call.
  for (const { path, mode } of accessibleToOthers([config.dataDir, dbPath]))
    logger.warn({ path, mode }, 'data readable by other users: chmod -R go-rwx the data dir');
  touchPrivateFile(dbPath);
  const db = openDb({ path: dbPath, durability: config.durability });
  const metrics = createMetrics();
  const store = new SqliteDocStore(db);
  const hub = new SyncHub({
    store,
    limits: config.limits,
    logger,
    metrics,
    idleUnloadMs: config.idleUnloadMs,
    compactEveryUpdates: config.compactEveryUpdates,
  });
  const workspaces = new WorkspaceService({ db, logger });
  const threads = new ThreadService({ db, logger });
  const auth = new AuthService({ db, config, workspaces, logger, metrics });

  // Governance changes reach open connections at once.
  workspaces.onMembershipChanged(({ userId }) =>
    hub.reauthorize(userId, (ref) => docAccess(db, userId, ref)),
  );
  // Logout, refresh-token reuse and API-token revocation end open connections too.
  auth.onRevoked((revoked) =>
    hub.closeWhere(
      (info) =>
        revoked.sessionId !== undefined
          ? info.sessionId === revoked.sessionId
          : info.apiTokenId === revoked.apiTokenId,
      CLOSE_CODES.unauthorized,
      'token-revoked',
    ),
  );
  threads.onThreadCreated(({ thread }) => {
    const id = thread.id;
    hub
      .transact(threadDoc(id), { kind: 'thread', id }, (doc) => {
        const meta = doc.getMap('meta');
        meta.set('title', thread.title);
        if (thread.intent) meta.set('intent', thread.intent);
      })
      .catch((err: unknown) => logger.error({ err, thread: id }, 'seeding the thread document failed'));
  });

  // Jobs live in the same database: effects enqueue them in their intent's transaction.
  const jobStore = new SqliteJobStore(db);
  const governance = new GovernanceService({
    db,
    workspaces,
    threads,
    hub,
    logger,
    receiptKeys,
    metrics,
    jobs: jobStore,
    reminders: config.reminders,
    ...(config.email.smtpUrl ? { email: emailQueue(jobStore) } : {}),
    ...(options.invitationSender ? { invitationSender: options.invitationSender } : {}),
  });
  // Archiving or restoring a thread changes what its members' open connections may do.
  governance.onAccessChanged(({ userIds }) => {
    for (const userId of userIds) hub.reauthorize(userId, (ref) => docAccess(db, userId, ref));
  });
  // SQLite is the truth: the server-only documents are republished from it before serving.
  await governance.rebuild();

  // Thread documents projected into SQLite for queries and search, and the workspace catalogs
  // kept current from it; catching up after a crash runs in the background.
  const readModel = new ReadModel({ db, hub, store, logger, metrics });

  const uploads = createUploads({ db, hub, config, logger, metrics });
  metrics.measureStorage({ db, uploadDirs: Object.values(uploadDirs(config.dataDir)) });
  // A file landing in a thread reaches its members' inboxes (once per file, the uploader excepted).
  uploads.service.onUploadFinished(({ file }) => {
    governance
      .notifyThreadMembers(file.threadId, uploadNotification(file, auth), { except: file.uploadedBy })
      .catch((err: unknown) => logger.error({ err, upload: file.id }, 'notifying thread members failed'));
  });
  await uploads.service.recover();

  const app = createApp({
    db,
    config,
    auth,
    workspaces,
    threads,
    metrics,
    logger,
    version: VERSION,
    extraHealth: () => ({
      connections: hub.stats.connections,
      documents: hub.stats.documents,
      sockets: sync.sockets,
    }),
    governance,
    uploads,
    jobs: jobStore,
  });
  const listener = getRequestListener(app.fetch);
  const http = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    if (hasDotSegment(req.url ?? '')) answerNotFound(res);
    else void listener(req, res);
  });
  const sync = attachSyncTransport(http, {
    hub,
    authenticate: (token) => auth.authenticate(token),
    access: (userId, ref) => docAccess(db, userId as UserId, ref),
    origins: config.origins,
    limits: config.limits,
    metrics,
    logger,
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, port, dataDir: config.dataDir, version: VERSION }, 'caucus listening');
  const { email } = config;
  if (!email.smtpUrl)
    logger.info('email is off (CAUCUS_SMTP_URL is not set): notifications stay in the inbox');
  else if (!email.publicUrl)
    logger.warn(
      { url },
      'CAUCUS_SMTP_URL is set without CAUCUS_PUBLIC_URL: links in emails point at the bind address',
    );
  const jobRunner = createBackgroundJobs({
    config,
    db,
    store: jobStore,
    governance,
    uploads: uploads.service,
    metrics,
    logger,
    url,
  });
  // Jobs a killed process held run again at once, not after their lease: the data-dir lock says
  // no other process runs them. Due jobs (a reminder that fell due while down) run once it serves.
  const freed = await jobStore.expireLeases();
  if (freed > 0) logger.info({ jobs: freed }, 'jobs a stopped process held run again');
  jobRunner.start();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      sync.detach();
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      // Running jobs finish (or are released for the next start) before what they write to closes.
      await jobRunner.stop();
      await uploads.service.stop();
      await governance.idle();
      await readModel.flush();
      await hub.shutdown();
      await readModel.stop();
      http.closeAllConnections();
      await stopped;
      await store.close();
      lock.release();
      logger.info('caucus stopped');
    })());

  return {
    url,
    port,
    http,
    db,
    hub,
    auth,
    workspaces,
    threads,
    governance,
    readModel,
    uploads: uploads.service,
    jobs: { store: jobStore, runner: jobRunner },
    metrics,
    logger,
    close,
  };
}
