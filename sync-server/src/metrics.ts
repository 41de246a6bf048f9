import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { INTENT_TYPES, REFUSAL_CODES, VERDICT_STATUSES } from '@caucus/schema';
import type { ProjectedEvent } from './projection/projector.js';
import type { Db } from './storage/db.js';
import { VERSION } from './version.js';
import { AUTH_FAILURE_REASONS } from './auth/auth-failures.js';
import { AUTH_THROTTLE_SCOPES } from './auth/throttle.js';
import { createJobMetrics } from './jobs/job-metrics.js';

/** The server's Prometheus metrics, on a registry of its own (several servers may share a process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'caucus_' });
  dropMisnamedDefaults(registry);
  const metrics = {
    registry,
    ...operatorMetrics(registry),
    connections: new Gauge({
      name: 'caucus_connections',
      help: 'Open sync connections',
      registers: [registry],
    }),
    documentsLoaded: new Gauge({
      name: 'caucus_documents_loaded',
      help: 'Documents loaded in memory',
      registers: [registry],
    }),
    updates: new Counter({
      name: 'caucus_updates_total',
      help: 'Document updates committed (rate() gives updates per second)',
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'caucus_commit_seconds',
      help: 'Time to commit one batch of updates to storage',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    refusedUpdates: new Counter({
      name: 'caucus_refused_updates_total',
      help: 'Updates refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    closedConnections: new Counter({
      name: 'caucus_closed_connections_total',
      help: 'Sync connections closed by the server, by close code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    compactions: new Counter({
      name: 'caucus_compactions_total',
      help: 'Document logs folded into snapshots',
      registers: [registry],
    }),
    projectionLagSeconds: new Histogram({
      name: 'caucus_projection_lag_seconds',
      help: 'Time from a thread update being committed to the read model holding it (debounce included)',
      buckets: [0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    projections: new Counter({
      name: 'caucus_projections_total',
      help: 'Thread projections, by outcome (written, unchanged, stale, removed, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    ...webSocketMetrics(registry),
    ...authMetrics(registry),
    /** The job queue: depth, run time, attempts, failures by queue. */
    jobs: createJobMetrics(registry),
  };
  zeroKnownSeries(metrics);
  return metrics;
}

/**
 * WebSocket traffic as plain numbers the transport bumps on its hot path (a broadcast to ten
 * thousand sockets must not pay for ten thousand label lookups); the counters read them on scrape.
 */
export interface WsTraffic {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Why an upgrade was refused (`caucus_ws_upgrades_refused_total{reason}`). */
export const UPGRADE_REFUSALS = [
  'not-found',
  'bad-request',
  'origin',
  'unauthorized',
  'forbidden',
  'too-many-connections',
  'internal',
] as const;
export type UpgradeRefusal = (typeof UPGRADE_REFUSALS)[number];

/** Codes a multiplexed subscription is refused or ended with (`closed`), for the refusal counter. */
const MUX_REFUSAL_CODES = ['4403', '4404', '4409'] as const;

/** Sockets, traffic, upgrades, heartbeat and the multiplexed protocol (sync/ws-*.ts, sync/mux-*.ts). */
function webSocketMetrics(registry: Registry) {
  const traffic: WsTraffic = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  const counted = (name: string, help: string, read: (t: WsTraffic) => [number, number]) =>
    new Counter({
      name,
      help,
      labelNames: ['direction'] as const,
      registers: [registry],
      collect() {
        const [received, sent] = read(traffic);
        this.reset();
        this.inc({ direction: 'in' }, received);
        this.inc({ direction: 'out' }, sent);
      },
    });
  const upgradesRefused = new Counter({
    name: 'caucus_ws_upgrades_refused_total',
    help: 'Sync upgrades refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of UPGRADE_REFUSALS) upgradesRefused.inc({ reason }, 0);
  const sockets = new Gauge({
    name: 'caucus_ws_sockets',
    help: 'Open sync WebSockets, by protocol (doc: one document each; mux: caucus.mux.v1)',
    labelNames: ['protocol'] as const,
    registers: [registry],
  });
  for (const protocol of ['doc', 'mux']) sockets.set({ protocol }, 0);
  const muxRefused = new Counter({
    name: 'caucus_mux_subscriptions_refused_total',
    help: 'Multiplexed subscriptions refused, by code (4403 no access, 4404 not a document, 4409 too many)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  for (const code of MUX_REFUSAL_CODES) muxRefused.inc({ code }, 0);
  return {
    wsTraffic: traffic,
    wsMessages: counted('caucus_ws_messages_total', 'WebSocket messages, by direction', (t) => [
      t.messagesIn,
      t.messagesOut,
    ]),
    wsBytes: counted('caucus_ws_bytes_total', 'WebSocket payload bytes, by direction', (t) => [
      t.bytesIn,
      t.bytesOut,
    ]),
    wsUpgradesRefused: upgradesRefused,
    wsSockets: sockets,
    wsHeartbeatTimeouts: new Counter({
      name: 'caucus_ws_heartbeat_timeouts_total',
      help: 'Sync sockets dropped because they stopped answering pings',
      registers: [registry],
    }),
    muxSubscriptions: new Gauge({
      name: 'caucus_mux_subscriptions',
      help: 'Documents open on multiplexed sockets',
      registers: [registry],
    }),
    muxSubscriptionsRefused: muxRefused,
  };
}

/** Auth failures and throttle hits; every label value is there at zero from the start. */
function authMetrics(registry: Registry) {
  const authFailures = new Counter({
    name: 'caucus_auth_failures_total',
    help: 'Failed authentications (HTTP and sync upgrades), by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of AUTH_FAILURE_REASONS) authFailures.inc({ reason }, 0);
  const rateLimited = new Counter({
    name: 'caucus_rate_limited_total',
    help: 'Requests refused by a rate limit (429), by the budget that was spent',
    labelNames: ['scope'] as const,
    registers: [registry],
  });
  for (const scope of AUTH_THROTTLE_SCOPES) rateLimited.inc({ scope }, 0);
  return { authFailures, rateLimited };
}
export type Metrics = ReturnType<typeof createMetrics>;

// ---- What operators alert on: HTTP, intents, uploads, storage, build --------------------------

/** Seconds an HTTP answer can take, from a cached read to a large upload chunk. */
const HTTP_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What happens to uploads: admitted, checked and kept, refused (at creation or by type), expired. */
export const UPLOAD_OUTCOMES = ['started', 'finished', 'refused', 'expired'] as const;
export type UploadOutcome = (typeof UPLOAD_OUTCOMES)[number];

/** The `type` label of an intent too malformed to have one of {@link INTENT_TYPES}. */
export const INVALID_INTENT_TYPE = 'invalid';

/** What the upload service counts. */
export type UploadCounters = Pick<Metrics, 'uploads' | 'uploadBytes'>;

/** Where the bytes are, measured at each scrape. */
export interface StorageSources {
  db: Db;
  /** Directories whose files count as upload storage (bytes, tus records, thumbnails). */
  uploadDirs: readonly string[];
}

/**
 * prom-client's `nodejs_active_{handles,requests,resources}_total` are gauges named like counters
 * (promtool flags them); the same figures remain per `type` in the gauges without `_total`.
 */
function dropMisnamedDefaults(registry: Registry): void {
  for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
    registry.removeSingleMetric(`caucus_nodejs_${name}`);
}

function operatorMetrics(registry: Registry) {
  let storage: StorageSources | null = null;
  const metrics = {
    httpRequests: new Counter({
      name: 'caucus_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern (never the raw path) and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'caucus_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (until the handler returned its response), by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_SECONDS_BUCKETS,
      registers: [registry],
    }),
    intentVerdicts: new Counter({
      name: 'caucus_intent_verdicts_total',
      help: `Intent verdicts, by intent type ("${INVALID_INTENT_TYPE}" for malformed ones) and status`,
      labelNames: ['type', 'status'] as const,
      registers: [registry],
    }),
    uploads: new Counter({
      name: 'caucus_uploads_total',
      help: 'Uploads by outcome: started (admitted), finished (checked and attached), refused (limits or type), expired',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    uploadBytes: new Counter({
      name: 'caucus_upload_bytes_total',
      help: 'Upload bytes received and written to storage',
      registers: [registry],
    }),
    databaseBytes: new Gauge({
      name: 'caucus_database_size_bytes',
      help: 'Size of the SQLite database (pages in use and free), measured at scrape',
      registers: [registry],
      collect() {
        if (!storage) return;
        const { page_count: pages, page_size: size } = storage.db.$client
          .prepare('SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()')
          .get() as { page_count: number; page_size: number };
        this.set(pages * size);
      },
    }),
    uploadStorageBytes: new Gauge({
      name: 'caucus_upload_storage_bytes',
      help: 'Bytes of upload storage on disk (files, unfinished uploads, thumbnails), measured at scrape',
      registers: [registry],
      async collect() {
        if (storage) this.set(await directoryBytes(storage.uploadDirs));
      },
    }),
    buildInfo: new Gauge({
      name: 'caucus_build_info',
      help: 'Always 1; the labels say which Caucus version runs on which Node',
      labelNames: ['version', 'node'] as const,
      registers: [registry],
    }),
    /** Where {@link databaseBytes} and {@link uploadStorageBytes} measure, once the server has them. */
    measureStorage(sources: StorageSources): void {
      storage = sources;
    },
  };
  metrics.buildInfo.set({ version: VERSION, node: process.versions.node }, 1);
  // Every series whose labels are known in advance exists from the start, at zero, so that
  // rate() and absent() work before the first event.
  for (const type of [...INTENT_TYPES, INVALID_INTENT_TYPE])
    for (const status of VERDICT_STATUSES) metrics.intentVerdicts.inc({ type, status }, 0);
  for (const outcome of UPLOAD_OUTCOMES) metrics.uploads.inc({ outcome }, 0);
  return metrics;
}

async function directoryBytes(dirs: readonly string[]): Promise<number> {
  let total = 0;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    const sizes = await Promise.all(
      names.map((name) =>
        stat(join(dir, name)).then(
          (s) => (s.isFile() ? s.size : 0),
          () => 0,
        ),
      ),
    );
    for (const size of sizes) total += size;
  }
  return total;
}

const PROJECTION_OUTCOMES = [
  'written',
  'unchanged',
  'stale',
  'removed',
  'failed',
] as const satisfies readonly ProjectedEvent['outcome'][];

/** Puts the server's other labelled counters at zero for every label value they can take. */
function zeroKnownSeries(metrics: Pick<Metrics, 'refusedUpdates' | 'projections'>): void {
  for (const reason of REFUSAL_CODES) metrics.refusedUpdates.inc({ reason }, 0);
  for (const outcome of PROJECTION_OUTCOMES) metrics.projections.inc({ outcome }, 0);
}
