/**
 * Fan-out: N receivers on one document, one writer at a set rate (500 × 50/s, 200 × 200/s,
 * 1,000 × 20/s). Every server runs at once, idle while another is measured, and the runs are
 * interleaved (config → repetition → server) so background noise falls on all of them alike.
 */
import { runFanout, type FanoutResult } from '../fanout.js';
import { sleep } from '../proc.js';
import type { Figure } from '../types.js';
import { Collector, attempt, figure, peerDoc, startAll, stopAll, type ScenarioContext } from './common.js';

export const FANOUT_CONFIGS = [
  { receivers: 500, rate: 50 },
  { receivers: 200, rate: 200 },
  { receivers: 1000, rate: 20 },
] as const;

export async function benchFanout(ctx: ScenarioContext): Promise<{ figures: Figure[]; runs: unknown[] }> {
  const { quick } = ctx.mode;
  const warmupSeconds = quick ? 0.3 : 1.5;
  const measureSeconds = quick ? 1 : 8;
  const servers = await startAll(ctx);
  const collect = new Collector();
  const runs: unknown[] = [];
  let fixtureDoc = 0;
  try {
    for (const cfg of FANOUT_CONFIGS) {
      const key = `${cfg.receivers}x${cfg.rate}`;
      for (let rep = 0; rep < ctx.mode.reps; rep++) {
        for (const [kind, server] of servers) {
          const fixture = ctx.fixture;
          const doc =
            kind === 'caucus' && fixture ? (fixture.docs.fanout[fixtureDoc++] as string) : peerDoc('fanout');
          const result: FanoutResult | null = await attempt(ctx.log, `fan-out ${key} on ${kind}`, () =>
            runFanout(server, {
              doc,
              ...(kind === 'caucus' && fixture ? { token: fixture.ownerToken } : {}),
              receivers: cfg.receivers,
              ratePerSecond: cfg.rate,
              warmupUpdates: Math.round(cfg.rate * warmupSeconds),
              measuredUpdates: Math.round(cfg.rate * measureSeconds),
            }),
          );
          if (result) {
            ctx.log(
              `  fan-out ${key} ${kind.padEnd(10)} p50 ${result.latencyMs.p50.toFixed(1)} ms  p99 ${result.latencyMs.p99.toFixed(1)} ms  ` +
                `cpu ${result.cpuMicrosPerDelivery.toFixed(2)} µs/delivery (user ${result.userMicrosPerDelivery.toFixed(2)}, kernel ${result.kernelMicrosPerDelivery.toFixed(2)})  delivered ${result.delivered}/${result.expected}  ` +
                `generator ${result.generatorCpuPercent.toFixed(0)}% cpu`,
            );
            runs.push({ scenario: 'fanout', config: key, rep, server: kind, ...result });
          }
          collect.add(`${key}:p50`, kind, result?.latencyMs.p50 ?? null);
          collect.add(`${key}:p99`, kind, result?.latencyMs.p99 ?? null);
          collect.add(`${key}:cpu`, kind, result?.cpuMicrosPerDelivery ?? null);
          collect.add(`${key}:user`, kind, result?.userMicrosPerDelivery ?? null);
          collect.add(`${key}:kernel`, kind, result?.kernelMicrosPerDelivery ?? null);
          collect.add(`${key}:delivered`, kind, result ? (result.delivered / result.expected) * 100 : null);
          collect.add(`${key}:gen`, kind, result?.generatorCpuPercent ?? null);
          await sleep(300);
        }
      }
    }
  } finally {
    await stopAll(servers);
  }

  const figures: Figure[] = [];
  for (const cfg of FANOUT_CONFIGS) {
    const key = `${cfg.receivers}x${cfg.rate}`;
    const scenario = `fan-out ${cfg.receivers.toLocaleString('en')} clients × ${cfg.rate} updates/s`;
    figures.push(
      figure(
        { scenario, metric: 'latency p50', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples(`${key}:p50`),
      ),
      figure(
        {
          scenario,
          metric: 'latency p99',
          unit: 'ms',
          better: 'lower',
          digits: 1,
          goal: { kind: 'vs-peers', ratio: 0.6 },
        },
        collect.samples(`${key}:p99`),
      ),
      figure(
        {
          scenario,
          metric: 'server CPU per delivery',
          unit: 'µs',
          better: 'lower',
          goal: { kind: 'vs-peers', ratio: 0.8 },
        },
        collect.samples(`${key}:cpu`),
      ),
      figure(
        { scenario, metric: '… of which in user space', unit: 'µs', better: 'lower' },
        collect.samples(`${key}:user`),
      ),
      figure(
        { scenario, metric: '… of which in the kernel', unit: 'µs', better: 'lower' },
        collect.samples(`${key}:kernel`),
      ),
      figure(
        { scenario, metric: 'delivered', unit: '%', better: 'higher', digits: 2, noRatio: true },
        collect.samples(`${key}:delivered`),
      ),
      figure(
        {
          scenario,
          metric: 'load generator CPU',
          unit: '% of a core',
          better: 'lower',
          digits: 0,
          noRatio: true,
        },
        collect.samples(`${key}:gen`),
      ),
    );
  }
  return { figures, runs };
}
