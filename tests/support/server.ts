/**
 * Starts a real Caucus server in this process on port 0 with a fresh data dir, and makes users.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  DEFAULT_AUTH_THROTTLE,
  loadConfig,
  type AuthThrottleLimits,
  type OutgoingInvitation,
  startServer,
  type Limits,
  type RunningServer,
  type ServerConfig,
} from '@caucus/sync-server';

export interface TestServer {
  server: RunningServer;
  /** Every log line (JSON) the server wrote, when started with `captureLogs`. */
  logs: string[];
  /**
   * Every invitation the server handed to its mail seam, token included: what an SMTP transport
   * would send (there is none yet), so tests can play the invitee who got the mail.
   */
  invitations: OutgoingInvitation[];
  url: string;
  wsUrl: string;
  dataDir: string;
  config: ServerConfig;
  /** Stops the server and removes its data dir (unless `keepData`). */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /**
   * After `stop({ keepData: true })`: starts the server again with the same options on the same
   * port and data dir (clients that remember the URL find it). This object then stands for the new
   * server — its logs and invitations start empty — so a fixture's `ts` stays the one to stop.
   */
  startAgain(): Promise<void>;
}

export interface TestServerOptions {
  dataDir?: string;
  /** A fixed port (to start again where clients that remember the URL find it); 0 by default. */
  port?: number;
  limits?: Partial<Limits>;
  accessTokenTtlSeconds?: number;
  idleUnloadMs?: number;
  compactEveryUpdates?: number;
  origins?: string[];
  /** Keep the server's log lines (level info and up) in `logs`. */
  captureLogs?: boolean;
  /** Upload settings (`maxUploadBytes`, `uploadExpiryMs`, `uploadQuotaBytes`, `maxConcurrentUploads`). */
  uploads?: Partial<
    Pick<ServerConfig, 'maxUploadBytes' | 'uploadExpiryMs' | 'uploadQuotaBytes' | 'maxConcurrentUploads'>
  >;
  /** Login, signup, refresh and API-token budgets, over the defaults. */
  authThrottle?: Partial<AuthThrottleLimits>;
  /** The built PWA to serve at `/` (CAUCUS_WEB_DIR); apps/web/dist when it exists, otherwise none. */
  webDir?: string;
  /** Instance admins by address (`CAUCUS_ADMIN_EMAILS`); the first account when none. */
  adminEmails?: string[];
  /** Email settings (`smtpUrl` turns email on). */
  email?: Partial<ServerConfig['email']>;
  /** Job runner settings (a short backoff for retry tests). */
  jobs?: Partial<ServerConfig['jobs']>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'caucus-test-'));
  const overrides: Parameters<typeof loadConfig>[1] = {
    port: options.port ?? 0,
    dataDir,
    logLevel: 'silent',
  };
  if (options.limits) overrides.limits = options.limits;
  if (options.accessTokenTtlSeconds) overrides.accessTokenTtlSeconds = options.accessTokenTtlSeconds;
  if (options.idleUnloadMs) overrides.idleUnloadMs = options.idleUnloadMs;
  if (options.compactEveryUpdates) overrides.compactEveryUpdates = options.compactEveryUpdates;
  if (options.origins) overrides.origins = options.origins;
  if (options.webDir) overrides.webDir = options.webDir;
  if (options.adminEmails) overrides.adminEmails = options.adminEmails;
  if (options.uploads) Object.assign(overrides, options.uploads);
  if (options.authThrottle) overrides.authThrottle = { ...DEFAULT_AUTH_THROTTLE, ...options.authThrottle };
  const config = loadConfig({ CAUCUS_JWT_SECRET: 'test-secret-'.padEnd(48, 'x') }, overrides);
  if (options.email) config.email = { ...config.email, ...options.email };
  if (options.jobs) config.jobs = { ...config.jobs, ...options.jobs };
  const logs: string[] = [];
  const invitations: OutgoingInvitation[] = [];
  const invitationSender = { send: (i: OutgoingInvitation) => Promise.resolve(void invitations.push(i)) };
  const server = await startServer(
    config,
    options.captureLogs
      ? { invitationSender, logger: createLogger('info', { write: (line: string) => void logs.push(line) }) }
      : { invitationSender },
  );
  const port = Number(new URL(server.url).port);
  const handle: TestServer = {
    server,
    logs,
    invitations,
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws') + '/sync',
    dataDir,
    config,
    async stop({ keepData = false } = {}) {
      await server.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
    async startAgain() {
      // Everything but `startAgain` itself, which keeps writing into this object however often.
      const fresh: Partial<TestServer> = await startTestServer({ ...options, dataDir, port });
      delete fresh.startAgain;
      Object.assign(handle, fresh);
    },
  };
  return handle;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  accessToken: string;
  refreshToken: string;
  /** The personal workspace signup created. */
  workspaceId: string;
}

let counter = 0;

export async function api<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function signup(baseUrl: string, name = `user${++counter}`): Promise<TestUser> {
  const email = `${name}-${Date.now()}-${counter}@example.test`;
  const res = await api<{ user: { id: string; name: string }; accessToken: string; refreshToken: string }>(
    baseUrl,
    'POST',
    '/api/auth/signup',
    { body: { email, password: 'correct horse battery', name } },
  );
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  const workspaces = await api<Array<{ id: string }> | { workspaces: Array<{ id: string }> }>(
    baseUrl,
    'GET',
    '/api/workspaces',
    {
      token: res.body.accessToken,
    },
  );
  const list = Array.isArray(workspaces.body) ? workspaces.body : workspaces.body.workspaces;
  const workspaceId = list[0]?.id;
  if (!workspaceId) throw new Error('signup made no workspace');
  return {
    id: res.body.user.id,
    email,
    name,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    workspaceId,
  };
}

export async function createThread(
  baseUrl: string,
  user: TestUser,
  workspaceId = user.workspaceId,
  title = 'A thread',
) {
  const res = await api<{ id: string }>(baseUrl, 'POST', '/api/threads', {
    token: user.accessToken,
    body: { workspaceId, title },
  });
  if (res.status !== 201)
    throw new Error(`thread creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** The token of the newest invitation in the user's inbox (the notification links `/invitations/<token>`). */
export async function invitationFromInbox(baseUrl: string, user: TestUser): Promise<string> {
  const inbox = await api<{ notifications: Array<{ link: string }> }>(baseUrl, 'GET', '/api/inbox', {
    token: user.accessToken,
  });
  const link = inbox.body.notifications.find((n) => n.link.startsWith('/invitations/'))?.link;
  if (!link) throw new Error(`no invitation in ${user.name}'s inbox`);
  return link.slice('/invitations/'.length);
}

/** Signs `name` up and makes them a member of `owner`'s personal workspace with `role`. */
export async function signupMember(baseUrl: string, owner: TestUser, name: string, role: string) {
  const member = await signup(baseUrl, name);
  await addMember(baseUrl, owner, owner.workspaceId, member, role);
  return member;
}

/** The owner invites `member` (an existing account) and `member` accepts from their inbox. */
export async function addMember(
  baseUrl: string,
  owner: TestUser,
  workspaceId: string,
  member: TestUser,
  role: string,
) {
  const res = await api(baseUrl, 'POST', `/api/workspaces/${workspaceId}/members`, {
    token: owner.accessToken,
    body: { email: member.email, role },
  });
  if (res.status !== 201)
    throw new Error(`inviting a member failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = await invitationFromInbox(baseUrl, member);
  const accepted = await api(baseUrl, 'POST', '/api/invitations/accept', {
    token: member.accessToken,
    body: { token },
  });
  if (accepted.status !== 200)
    throw new Error(`accepting an invitation failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
}

/** Changes a member's role (`member.setRole`, as the owner). */
export async function setRole(
  baseUrl: string,
  owner: TestUser,
  workspaceId: string,
  member: TestUser,
  role: string,
) {
  const res = await api<{ results: Array<{ status: string }> }>(baseUrl, 'POST', '/api/intents', {
    token: owner.accessToken,
    body: {
      intents: [
        { id: crypto.randomUUID(), type: 'member.setRole', args: { workspaceId, userId: member.id, role } },
      ],
    },
  });
  if (res.body.results[0]?.status !== 'accepted')
    throw new Error(`changing a role failed: ${JSON.stringify(res.body)}`);
}

/**
 * The user holding a named API token (no expiry) in place of the access token from signup: what a
 * headless script uses. For tests that run longer than an access token lives (15 minutes by
 * default; the soak runs an hour), whose connections would otherwise be refused with 401 or
 * closed with 4401 when it expires. Do the setup that needs a session (creating API tokens) first.
 */
export async function withApiToken(
  baseUrl: string,
  user: TestUser,
  name = 'long-running test',
): Promise<TestUser> {
  const res = await api<{ token: string }>(baseUrl, 'POST', '/api/tokens', {
    token: user.accessToken,
    body: { name },
  });
  if (res.status !== 201)
    throw new Error(`API token creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...user, accessToken: res.body.token };
}
