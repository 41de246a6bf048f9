import { z } from 'zod';
import { DEFAULT_MAX_UPLOAD_BYTES } from '@caucus/schema';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { authThrottleFromEnv, type AuthThrottleLimits } from './auth/throttle.js';
import { DEFAULT_REMINDERS, type ReminderSettings } from './governance/reminders.js';
import { DEFAULT_JOB_RETENTION_MS, DEFAULT_READ_NOTIFICATION_RETENTION_MS } from './governance/retention.js';
import {
  DEFAULT_BACKOFF,
  DEFAULT_JOB_CONCURRENCY,
  DEFAULT_JOB_LEASE_MS,
  DEFAULT_JOB_POLL_MS,
} from './jobs/job-runner.js';
import { makePrivateDir } from './storage/file-modes.js';

/** Defaults for every limit; each can be overridden by env or by `startServer` options. */
export const DEFAULT_LIMITS = {
  /** Largest WebSocket frame accepted; bigger ones close the connection with 1009. */
  maxFrameBytes: 2 * 1024 * 1024,
  /** Largest single Yjs update; bigger ones close with 4413. */
  maxUpdateBytes: 1024 * 1024,
  /** Largest stored size of one document (snapshot plus log); growth past it is refused. */
  maxDocBytes: 32 * 1024 * 1024,
  /** Longest message text, thread title or intent, in UTF-16 code units. */
  maxFieldChars: 20_000,
  /** Largest awareness state of one client, as JSON. */
  maxAwarenessBytes: 8 * 1024,
  /** Sustained messages per second per connection (a bucket twice this size absorbs bursts). */
  messagesPerSecond: 300,
  /** Bytes a client may send before its connection is authenticated and its document loaded. */
  maxPreAuthBytes: 64 * 1024,
  /** Bytes queued for a slow receiver before it is disconnected (1013). */
  maxBufferedBytes: 16 * 1024 * 1024,
  /** Open sync connections per user; a multiplexed socket counts as one. */
  maxConnectionsPerUser: 200,
  /** Documents one multiplexed socket may hold open at once; past it a subscription gets 4409. */
  maxDocsPerConnection: 1000,
  /**
   * Sustained frames per second per multiplexed socket, every document together (a bucket twice
   * this size absorbs bursts; each document subscribed costs one). The per-document rate holds too.
   */
  muxMessagesPerSecond: 1000,
  /**
   * A socket silent this long is pinged; one still silent a period later is dropped, so a dead
   * peer is gone within three periods. Also the TCP keepalive delay.
   */
  heartbeatIntervalMs: 10_000,
} as const;
export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };

const LIMIT_ENV: Record<keyof Limits, string> = {
  maxFrameBytes: 'CAUCUS_MAX_FRAME_BYTES',
  maxUpdateBytes: 'CAUCUS_MAX_UPDATE_BYTES',
  maxDocBytes: 'CAUCUS_MAX_DOC_BYTES',
  maxFieldChars: 'CAUCUS_MAX_FIELD_CHARS',
  maxAwarenessBytes: 'CAUCUS_MAX_AWARENESS_BYTES',
  messagesPerSecond: 'CAUCUS_MESSAGES_PER_SECOND',
  maxPreAuthBytes: 'CAUCUS_MAX_PREAUTH_BYTES',
  maxBufferedBytes: 'CAUCUS_MAX_BUFFERED_BYTES',
  maxConnectionsPerUser: 'CAUCUS_MAX_CONNECTIONS_PER_USER',
  maxDocsPerConnection: 'CAUCUS_MAX_DOCS_PER_CONNECTION',
  muxMessagesPerSecond: 'CAUCUS_MUX_MESSAGES_PER_SECOND',
  heartbeatIntervalMs: 'CAUCUS_HEARTBEAT_INTERVAL_MS',
};

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Extra `Origin`s allowed for WebSocket upgrades besides the server's own (same-origin is always allowed). */
  origins: string[];
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  durability: 'normal' | 'full';
  /** A loaded document with no connections is unloaded after this long. */
  idleUnloadMs: number;
  /** A document's log is folded into a snapshot once it holds this many updates. */
  compactEveryUpdates: number;
  logLevel: string;
  limits: Limits;
  /** Largest upload in bytes, declared or deferred length alike (DESIGN §7). */
  maxUploadBytes: number;
  /** An unfinished upload expires (and is removed by the cleanup job) this long after creation. */
  uploadExpiryMs: number;
  /** Bytes of files one user may store, unfinished uploads' reservations included. */
  uploadQuotaBytes: number;
  /** Unfinished uploads one user may have at a time. */
  maxConcurrentUploads: number;
  /** Login, signup, refresh and API-token budgets per account and per address (`CAUCUS_THROTTLE_*`). */
  authThrottle: AuthThrottleLimits;
  /**
   * The built PWA served at `/` (`CAUCUS_WEB_DIR`); unset: apps/web/dist of this checkout. A
   * directory without an index.html leaves the plain landing page.
   */
  webDir?: string;
  /** The background job runner (`CAUCUS_JOB_*`). */
  jobs: JobSettings;
  /** When reminders and escalations fall (`CAUCUS_REMINDER_LEAD_MS`, `CAUCUS_CHECKPOINT_*_MS`). */
  reminders: ReminderSettings;
  /** Instance admins by address (`CAUCUS_ADMIN_EMAILS`); when empty, the first account is. */
  adminEmails: string[];
  /** Notifications by email (`CAUCUS_SMTP_URL`, `CAUCUS_MAIL_FROM`, `CAUCUS_PUBLIC_URL`). */
  email: EmailConfig;
  /** Read notifications older than this are removed (`CAUCUS_READ_NOTIFICATION_RETENTION_MS`). */
  readNotificationRetentionMs: number;
  /** Done and cancelled jobs older than this are removed (`CAUCUS_JOB_RETENTION_MS`). */
  jobRetentionMs: number;
  /**
   * `caucus serve` exits (code 1) this long after SIGTERM/SIGINT even when the graceful shutdown
   * (commit what is queued, close sockets, close the database) has not finished.
   */
  shutdownTimeoutMs: number;
}

export interface EmailConfig {
  /** Null: no email at all (nothing is queued for it). */
  smtpUrl: string | null;
  from: string;
  /** The server's address as its users reach it, for links in emails; the bound URL when null. */
  publicUrl: string | null;
}

export interface JobSettings {
  /** Jobs run at once. */
  concurrency: number;
  /** A claimed job runs again elsewhere (a process killed meanwhile) once this has passed. */
  leaseMs: number;
  /** How often the runner looks for due jobs. */
  pollMs: number;
  /** The wait before a failed job's second attempt; it doubles with each further one (up to 1 h). */
  backoffBaseMs: number;
}

const positiveInt = z.coerce.number().int().positive();

/** Time a graceful shutdown gets before the process exits anyway (well inside a typical 30 s kill grace). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  CAUCUS_DATA_DIR: z.string().min(1).default('./data'),
  CAUCUS_ORIGINS: z.string().default(''),
  CAUCUS_JWT_SECRET: z.string().min(32, 'CAUCUS_JWT_SECRET must be at least 32 characters').optional(),
  CAUCUS_ACCESS_TTL_SECONDS: positiveInt.default(900),
  CAUCUS_REFRESH_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  CAUCUS_DURABILITY: z.enum(['normal', 'full']).default('normal'),
  CAUCUS_IDLE_UNLOAD_MS: positiveInt.default(30_000),
  CAUCUS_COMPACT_EVERY: positiveInt.default(500),
  CAUCUS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CAUCUS_MAX_UPLOAD_BYTES: positiveInt.default(DEFAULT_MAX_UPLOAD_BYTES),
  CAUCUS_UPLOAD_EXPIRY_MS: positiveInt.default(24 * 3600 * 1000),
  CAUCUS_UPLOAD_QUOTA_BYTES: positiveInt.default(1024 * 1024 * 1024),
  CAUCUS_MAX_CONCURRENT_UPLOADS: positiveInt.default(10),
  CAUCUS_WEB_DIR: z.string().min(1).optional(),
  CAUCUS_JOB_CONCURRENCY: positiveInt.default(DEFAULT_JOB_CONCURRENCY),
  CAUCUS_JOB_LEASE_MS: positiveInt.default(DEFAULT_JOB_LEASE_MS),
  CAUCUS_JOB_POLL_MS: positiveInt.default(DEFAULT_JOB_POLL_MS),
  CAUCUS_REMINDER_LEAD_MS: positiveInt.default(DEFAULT_REMINDERS.decisionLeadMs),
  CAUCUS_CHECKPOINT_REMIND_MS: positiveInt.default(DEFAULT_REMINDERS.checkpointRemindMs),
  CAUCUS_CHECKPOINT_ESCALATE_MS: positiveInt.default(DEFAULT_REMINDERS.checkpointEscalateMs),
  CAUCUS_ADMIN_EMAILS: z.string().default(''),
  CAUCUS_READ_NOTIFICATION_RETENTION_MS: positiveInt.default(DEFAULT_READ_NOTIFICATION_RETENTION_MS),
  CAUCUS_JOB_RETENTION_MS: positiveInt.default(DEFAULT_JOB_RETENTION_MS),
  CAUCUS_JOB_BACKOFF_BASE_MS: positiveInt.default(DEFAULT_BACKOFF.baseMs),
  CAUCUS_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'CAUCUS_SMTP_URL must be an smtp:// or smtps:// URL')
    .optional()
    .or(z.literal('')),
  CAUCUS_MAIL_FROM: z.string().min(3).default('Caucus <caucus@localhost>'),
  CAUCUS_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .or(z.literal('')),
  CAUCUS_SHUTDOWN_TIMEOUT_MS: positiveInt.default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration from env (and overrides, e.g. CLI flags), validating every value.
 * When no JWT secret is given, one is generated once and kept in the data dir.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Omit<ServerConfig, 'limits'>> & { limits?: Partial<Limits> } = {},
): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const e = parsed.data;
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof Limits)[]) {
    const raw = env[LIMIT_ENV[key]];
    if (raw === undefined || raw === '') continue;
    const value = positiveInt.safeParse(raw);
    if (!value.success) throw new ConfigError(`${LIMIT_ENV[key]}: expected a positive integer, got "${raw}"`);
    limits[key] = value.data;
  }
  Object.assign(limits, overrides.limits);
  let authThrottle: AuthThrottleLimits;
  try {
    authThrottle = authThrottleFromEnv(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const dataDir = resolve(overrides.dataDir ?? e.CAUCUS_DATA_DIR);
  const origins = e.CAUCUS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const config: ServerConfig = {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    origins,
    jwtSecret: e.CAUCUS_JWT_SECRET ?? '',
    accessTokenTtlSeconds: e.CAUCUS_ACCESS_TTL_SECONDS,
    refreshTokenTtlSeconds: e.CAUCUS_REFRESH_TTL_SECONDS,
    durability: e.CAUCUS_DURABILITY,
    idleUnloadMs: e.CAUCUS_IDLE_UNLOAD_MS,
    compactEveryUpdates: e.CAUCUS_COMPACT_EVERY,
    logLevel: e.CAUCUS_LOG_LEVEL,
    maxUploadBytes: e.CAUCUS_MAX_UPLOAD_BYTES,
    uploadExpiryMs: e.CAUCUS_UPLOAD_EXPIRY_MS,
    uploadQuotaBytes: e.CAUCUS_UPLOAD_QUOTA_BYTES,
    maxConcurrentUploads: e.CAUCUS_MAX_CONCURRENT_UPLOADS,
    authThrottle,
    ...(e.CAUCUS_WEB_DIR ? { webDir: resolve(e.CAUCUS_WEB_DIR) } : {}),
    jobs: {
      concurrency: e.CAUCUS_JOB_CONCURRENCY,
      leaseMs: e.CAUCUS_JOB_LEASE_MS,
      pollMs: e.CAUCUS_JOB_POLL_MS,
      backoffBaseMs: e.CAUCUS_JOB_BACKOFF_BASE_MS,
    },
    readNotificationRetentionMs: e.CAUCUS_READ_NOTIFICATION_RETENTION_MS,
    jobRetentionMs: e.CAUCUS_JOB_RETENTION_MS,
    email: {
      smtpUrl: e.CAUCUS_SMTP_URL || null,
      from: e.CAUCUS_MAIL_FROM,
      publicUrl: e.CAUCUS_PUBLIC_URL || null,
    },
    reminders: {
      decisionLeadMs: e.CAUCUS_REMINDER_LEAD_MS,
      checkpointRemindMs: e.CAUCUS_CHECKPOINT_REMIND_MS,
      checkpointEscalateMs: e.CAUCUS_CHECKPOINT_ESCALATE_MS,
    },
    adminEmails: e.CAUCUS_ADMIN_EMAILS.split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean),
    shutdownTimeoutMs: e.CAUCUS_SHUTDOWN_TIMEOUT_MS,
    ...overrides,
    limits,
  };
  config.dataDir = dataDir;
  if (!config.jwtSecret) config.jwtSecret = persistentSecret(dataDir);
  if (config.jwtSecret.length < 32) throw new ConfigError('the JWT secret must be at least 32 characters');
  return config;
}

function persistentSecret(dataDir: string): string {
  makePrivateDir(dataDir);
  const file = join(dataDir, 'jwt-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'w' });
  return secret;
}
