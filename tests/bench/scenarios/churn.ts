/**
 * Churn: 2,000 documents opened (a client connects, syncs and types one update) and left. After
 * the server unloads idle documents, is its memory back to where it was? Baseline: a fresh server
 * warmed up on other documents (opened, left and unloaded), settled. Caucus runs with a short idle
 * unload (CAUCUS_IDLE_UNLOAD_MS) so the run does not wait its default 30 s; Hocuspocus unloads a
 * document when its last client leaves; the reference server never unloads in-memory documents.
 */
import { LightClient, pool } from '../client.js';
import { freshClientId } from '../fanout.js';
import { QUICK_SETTLE, rssBytes, settledMemory, sleep } from '../proc.js';
import type { ServerHandle } from '../servers.js';
import type { Figure } from '../types.js';
import { appendUpdate, syncUpdate } from '../wire.js';
import { untilUnloaded } from './cold-load.js';
import { Collector, attempt, figure, startServer, type ScenarioContext } from './common.js';

export const CHURN_IDLE_UNLOAD_MS = 1_000;

interface ChurnResult {
  baselineMB: number;
  peakMB: number;
  afterMB: number;
  /** RSS: (after − baseline) / baseline, in %. */
  growthPercent: number;
  /** What the server's JS keeps (heap in use + external) after a full GC: baseline and after. */
  retainedBaselineMB: number;
  retainedAfterMB: number;
  retainedGrowthPercent: number;
}

async function openAndLeave(server: ServerHandle, doc: string, token: string | undefined): Promise<void> {
  const client = await LightClient.open({
    url: server.url(doc, token === undefined ? {} : { token }),
    dialect: server.dialect,
    doc,
    ...(token === undefined ? {} : { token }),
    sync: server.syncs,
  });
  client.send(syncUpdate(client.prefix, appendUpdate(freshClientId(), 0, 'churn')));
  await sleep(20);
  await client.close();
}

export async function runChurn(
  server: ServerHandle,
  options: { docs: readonly string[]; warmupDocs: readonly string[]; token?: string; quick?: boolean },
): Promise<ChurnResult> {
  const settle = async () => {
    if (server.kind === 'caucus') await untilUnloaded(server, 30_000);
    else await sleep(500);
    return settledMemory(server, options.quick ? QUICK_SETTLE : {});
  };
  await pool(options.warmupDocs.length, 20, (i) =>
    openAndLeave(server, options.warmupDocs[i] as string, options.token),
  );
  const baseline = await settle();
  let peak = baseline.rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(server.pid));
  }, 100);
  const opened = await pool(options.docs.length, 50, (i) =>
    openAndLeave(server, options.docs[i] as string, options.token),
  );
  clearInterval(sampler);
  const failed = opened.filter((r) => r.status === 'rejected').length;
  if (failed > 0) throw new Error(`${failed} documents could not be opened`);
  const after = await settle();
  const MB = 2 ** 20;
  return {
    baselineMB: baseline.rss / MB,
    peakMB: peak / MB,
    afterMB: after.rss / MB,
    growthPercent: ((after.rss - baseline.rss) / baseline.rss) * 100,
    retainedBaselineMB: baseline.retained / MB,
    retainedAfterMB: after.retained / MB,
    retainedGrowthPercent: ((after.retained - baseline.retained) / baseline.retained) * 100,
  };
}

export async function benchChurn(ctx: ScenarioContext): Promise<{ figures: Figure[]; runs: unknown[] }> {
  const count = ctx.mode.quick ? 300 : 2_000;
  const warmup = ctx.mode.quick ? 30 : 100;
  const collect = new Collector();
  const runs: unknown[] = [];
  for (let rep = 0; rep < ctx.mode.reps; rep++) {
    for (const kind of ctx.servers) {
      const result = await attempt(ctx.log, `churn on ${kind}`, async () => {
        const server = await startServer(ctx, kind, { CAUCUS_IDLE_UNLOAD_MS: String(CHURN_IDLE_UNLOAD_MS) });
        try {
          const fixture = kind === 'caucus' ? ctx.fixture : null;
          const names = fixture
            ? fixture.docs.churn
            : Array.from({ length: warmup + count }, (_, i) => `bench-churn-${rep}-${i}`);
          return await runChurn(server, {
            warmupDocs: names.slice(0, warmup),
            docs: names.slice(warmup, warmup + count),
            ...(fixture ? { token: fixture.ownerToken } : {}),
            quick: ctx.mode.quick,
          });
        } finally {
          await server.stop();
        }
      });
      collect.add('growth', kind, result?.growthPercent ?? null);
      collect.add('retained', kind, result?.retainedGrowthPercent ?? null);
      collect.add('peak', kind, result ? result.peakMB - result.baselineMB : null);
      if (result) {
        ctx.log(
          `  churn ${count} ${kind.padEnd(10)} RSS baseline ${result.baselineMB.toFixed(1)} MB, peak ${result.peakMB.toFixed(1)} MB, ` +
            `after ${result.afterMB.toFixed(1)} MB (${signed(result.growthPercent)}); retained JS ${result.retainedBaselineMB.toFixed(1)} → ` +
            `${result.retainedAfterMB.toFixed(1)} MB (${signed(result.retainedGrowthPercent)})`,
        );
        runs.push({ scenario: 'churn', rep, server: kind, docs: count, ...result });
      }
    }
  }
  const scenario = `churn: ${count.toLocaleString('en')} documents opened and left`;
  return {
    figures: [
      figure(
        {
          scenario,
          metric: 'RSS after idle unload vs baseline',
          unit: '%',
          better: 'lower',
          digits: 1,
          goal: { kind: 'at-most', max: 10 },
          note: `Caucus with CAUCUS_IDLE_UNLOAD_MS=${CHURN_IDLE_UNLOAD_MS}; the reference server keeps every document in memory`,
        },
        collect.samples('growth'),
      ),
      figure(
        { scenario, metric: 'JS heap + external kept vs baseline', unit: '%', better: 'lower', digits: 1 },
        collect.samples('retained'),
      ),
      figure(
        { scenario, metric: 'RSS peak above baseline', unit: 'MB', better: 'lower', digits: 1 },
        collect.samples('peak'),
      ),
    ],
    runs,
  };
}

const signed = (percent: number): string => `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
