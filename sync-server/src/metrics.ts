import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AUTH_FAILURE_REASONS } from './auth/auth-failures.js';
import { AUTH_THROTTLE_SCOPES } from './auth/throttle.js';

/** The server's Prometheus metrics, on a registry of its own (several servers may share a process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'caucus_' });
  return {
    registry,
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
    ...authMetrics(registry),
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
