/**
 * The server's Prometheus metrics, one registry per server: sync (connections, documents,
 * commits, refusals, compaction, projection), auth, and the job queue here; the transport's in
 * `ws-metrics.ts`, what operators alert on (HTTP, intents, uploads, storage, build) in
 * `operator-metrics.ts`. Callers import them all from here.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REFUSAL_CODES } from '@caucus/schema';
import type { ProjectedEvent } from './projection/projector.js';
import { AUTH_FAILURE_REASONS } from './auth/auth-failures.js';
import { AUTH_THROTTLE_SCOPES } from './auth/throttle.js';
import { createJobMetrics } from './jobs/job-metrics.js';
import { operatorMetrics } from './operator-metrics.js';
import { webSocketMetrics } from './ws-metrics.js';

export {
  INVALID_INTENT_TYPE,
  UPLOAD_OUTCOMES,
  type StorageSources,
  type UploadOutcome,
} from './operator-metrics.js';
export { UPGRADE_REFUSALS, type UpgradeRefusal, type WsTraffic } from './ws-metrics.js';

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

/** What the upload service counts. */
export type UploadCounters = Pick<Metrics, 'uploads' | 'uploadBytes'>;

/**
 * prom-client's `nodejs_active_{handles,requests,resources}_total` are gauges named like counters
 * (promtool flags them); the same figures remain per `type` in the gauges without `_total`.
 */
function dropMisnamedDefaults(registry: Registry): void {
  for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
    registry.removeSingleMetric(`caucus_nodejs_${name}`);
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
