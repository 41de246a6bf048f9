/**
 * Idle connections: 10,000 authenticated connections spread over 1,000 documents, each synced and
 * then quiet. Connect time (start of the upgrade to sync step 2) and resident memory per
 * connection (RSS growth from a warmed-up, settled server to all connected and settled). Every
 * repetition starts a fresh server process.
 */
import { LightClient, openMany } from '../client.js';
import { QUICK_SETTLE, settledMemory, sleep } from '../proc.js';
import type { ServerHandle, ServerKind } from '../servers.js';
import { Samples, quantile } from '../stats.js';
import type { Figure } from '../types.js';
import { Collector, attempt, figure, startServer, type ScenarioContext } from './common.js';

interface IdleResult {
  connectSeconds: number;
  connectP50Ms: number;
  connectP99Ms: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  memoryPerConnectionKB: number;
}

export interface IdleOptions {
  connections: number;
  docs: readonly string[];
  /** Documents used to warm the server up (connected and left before the baseline). */
  warmupDocs: readonly string[];
  token?: string;
  concurrency?: number;
  /** Shorter memory settling (quick mode). */
  quick?: boolean;
}

export async function runIdle(server: ServerHandle, options: IdleOptions): Promise<IdleResult> {
  const open = (doc: string) => ({
    url: server.url(doc, options.token === undefined ? {} : { token: options.token }),
    dialect: server.dialect,
    doc,
    ...(options.token === undefined ? {} : { token: options.token }),
    sync: server.syncs,
  });
  const concurrency = options.concurrency ?? 100;
  const settle = options.quick ? QUICK_SETTLE : {};
  // Warm-up: the connection and sync paths are compiled and pools allocated before the baseline.
  const warm = await openMany(options.quick ? 100 : 200, concurrency, (i) =>
    open(options.warmupDocs[i % options.warmupDocs.length] as string),
  );
  await Promise.all(warm.map((c) => c.close()));
  await sleep(500);
  const rssBefore = (await settledMemory(server, settle)).rss;
  const started = performance.now();
  let clients: LightClient[] = [];
  try {
    clients = await openMany(options.connections, concurrency, (i) =>
      open(options.docs[i % options.docs.length] as string),
    );
    const connectSeconds = (performance.now() - started) / 1000;
    const times = new Samples(clients.length);
    for (const c of clients) times.push(c.readyAt - c.startedAt);
    const sorted = times.sorted();
    const rssAfter = (await settledMemory(server, settle)).rss;
    return {
      connectSeconds,
      connectP50Ms: quantile(sorted, 0.5),
      connectP99Ms: quantile(sorted, 0.99),
      rssBeforeMB: rssBefore / 2 ** 20,
      rssAfterMB: rssAfter / 2 ** 20,
      memoryPerConnectionKB: (rssAfter - rssBefore) / options.connections / 1024,
    };
  } finally {
    await server.stop();
    for (const c of clients) c.terminate();
  }
}

export async function benchIdle(ctx: ScenarioContext): Promise<{ figures: Figure[]; runs: unknown[] }> {
  const connections = ctx.mode.quick ? 2_000 : 10_000;
  const docCount = ctx.mode.quick ? 200 : 1_000;
  const collect = new Collector();
  const runs: unknown[] = [];
  const peerDocs = Array.from({ length: docCount }, (_, i) => `bench-idle-${i}`);
  const peerWarmup = Array.from({ length: 20 }, (_, i) => `bench-idle-warmup-${i}`);
  for (let rep = 0; rep < ctx.mode.reps; rep++) {
    for (const kind of ctx.servers) {
      const result = await attempt(ctx.log, `idle on ${kind}`, async () => {
        const server = await startServer(ctx, kind);
        const fixture = kind === 'caucus' ? ctx.fixture : null;
        return runIdle(server, {
          connections,
          docs: fixture ? fixture.docs.idle.slice(0, docCount) : peerDocs,
          warmupDocs: fixture ? fixture.docs.churn.slice(0, 20) : peerWarmup,
          ...(fixture ? { token: fixture.ownerToken } : {}),
          quick: ctx.mode.quick,
        });
      });
      record(collect, kind, result);
      if (result) {
        ctx.log(
          `  idle ${connections} ${kind.padEnd(10)} ${result.memoryPerConnectionKB.toFixed(1)} KB/connection  ` +
            `connect all ${result.connectSeconds.toFixed(1)} s (p50 ${result.connectP50Ms.toFixed(1)} ms, p99 ${result.connectP99Ms.toFixed(1)} ms)`,
        );
        runs.push({ scenario: 'idle', rep, server: kind, connections, docs: docCount, ...result });
      }
    }
  }
  const scenario = `${connections.toLocaleString('en')} idle connections over ${docCount.toLocaleString('en')} documents`;
  return {
    figures: [
      figure(
        {
          scenario,
          metric: 'memory per connection',
          unit: 'KB',
          better: 'lower',
          digits: 1,
          goal: { kind: 'vs-peers', ratio: 0.7 },
        },
        collect.samples('mem'),
      ),
      figure(
        { scenario, metric: 'connect all', unit: 's', better: 'lower', digits: 2 },
        collect.samples('all'),
      ),
      figure(
        { scenario, metric: 'connect + sync p50', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples('p50'),
      ),
      figure(
        { scenario, metric: 'connect + sync p99', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples('p99'),
      ),
    ],
    runs,
  };
}

function record(collect: Collector, kind: ServerKind, result: IdleResult | null): void {
  collect.add('mem', kind, result?.memoryPerConnectionKB ?? null);
  collect.add('all', kind, result?.connectSeconds ?? null);
  collect.add('p50', kind, result?.connectP50Ms ?? null);
  collect.add('p99', kind, result?.connectP99Ms ?? null);
}
