/**
 * Real typing: the stretch of the concurrent clownschool trace where its two people type at the
 * same time the most, replayed at its recorded pace by two writers (one connection per agent)
 * while N readers watch. The document first gets the trace's state before that stretch. Readers
 * decode each update's clocks (`Y.parseUpdateMeta`), so a transaction counts when its last
 * character arrives, in whatever message; delete-only transactions carry no clock and are sent
 * but not timed.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { LightClient, closeAll, openMany } from '../client.js';
import { selfCpuSeconds, sleep } from '../proc.js';
import type { ServerHandle } from '../servers.js';
import { Samples, quantile } from '../stats.js';
import { busiestWindow, prepareTypingTrace, type TypingStep, type TypingWindow } from '../typing-trace.js';
import type { Figure } from '../types.js';
import { MSG_SYNC, STEP1, STEP2, STEP_UPDATE, syncStep2, syncUpdate } from '../wire.js';
import { Collector, attempt, figure, peerDoc, startAll, stopAll, type ScenarioContext } from './common.js';

interface TypingResult {
  timed: number;
  expected: number;
  delivered: number;
  latencyMs: { p50: number; p99: number; max: number };
  serverCpuPercent: number;
  cpuMicrosPerDelivery: number;
  generatorCpuPercent: number;
}

export async function runTyping(
  server: ServerHandle,
  window: TypingWindow,
  clients: readonly number[],
  options: { doc: string; readers: number; token?: string },
): Promise<TypingResult> {
  const { doc, token } = options;
  const open = (onMessage?: (data: Buffer, offset: number) => void) => ({
    url: server.url(doc, token === undefined ? {} : { token }),
    dialect: server.dialect,
    doc,
    ...(token === undefined ? {} : { token }),
    sync: server.syncs,
    ...(onMessage ? { onMessage } : {}),
  });
  const agents = window.perAgent.map((count, agent) => (count > 0 ? agent : -1)).filter((a) => a >= 0);

  // The document as it stood before the stretch (the relay keeps nothing, so it needs none). The
  // seeding client stays connected: Hocuspocus drops an in-memory document its last client leaves.
  const seeder = server.syncs ? await LightClient.open(open()) : null;
  if (seeder) {
    seeder.send(syncStep2(seeder.prefix, window.seedState));
    await sleep(200);
  }

  // Per agent, the timed transactions in clock order: a reader walks each list as clocks arrive.
  const timedByAgent = new Map<number, TypingStep[]>();
  for (const a of agents) timedByAgent.set(a, []);
  for (const step of window.steps) if (step.endClock > 0) timedByAgent.get(step.agent)?.push(step);
  for (const list of timedByAgent.values()) list.sort((x, y) => x.endClock - y.endClock);
  const agentOfClient = new Map<number, number>();
  for (const a of agents) agentOfClient.set(clients[a] as number, a);
  const sentAt = new Map<number, number>();
  const latencies = new Samples(options.readers * window.steps.length);
  let delivered = 0;

  const reader = () => {
    const cursor = new Map<number, number>();
    return (data: Buffer, offset: number) => {
      if (data[offset] !== MSG_SYNC) return;
      const step = data[offset + 1];
      if (step !== STEP_UPDATE && step !== STEP2) return;
      const arrived = performance.now();
      const decoder = decoding.createDecoder(data);
      decoder.pos = offset + 2;
      const { to } = Y.parseUpdateMeta(decoding.readVarUint8Array(decoder));
      for (const [client, clock] of to) {
        const agent = agentOfClient.get(client);
        if (agent === undefined) continue;
        const list = timedByAgent.get(agent) as TypingStep[];
        let at = cursor.get(agent) ?? 0;
        while (at < list.length && (list[at] as TypingStep).endClock <= clock) {
          const sent = sentAt.get((list[at] as TypingStep).index);
          if (sent !== undefined) {
            latencies.push(arrived - sent);
            delivered++;
          }
          at++;
        }
        cursor.set(agent, at);
      }
    };
  };

  let readers: LightClient[] = [];
  const writers = new Map<number, LightClient>();
  const sentUpdates = new Map<number, Uint8Array[]>();
  try {
    readers = await openMany(options.readers, 50, () => open(reader()));
    for (const a of agents) {
      const sent: Uint8Array[] = [];
      sentUpdates.set(a, sent);
      const writer = await LightClient.open(open());
      // A server that lacks a dependency asks again with sync step 1: answer with what was sent.
      writer.onMessage = (data, offset) => {
        if (data[offset] !== MSG_SYNC || data[offset + 1] !== STEP1 || sent.length === 0) return;
        const decoder = decoding.createDecoder(data);
        decoder.pos = offset + 2;
        const sv = decoding.readVarUint8Array(decoder);
        writer.send(syncStep2(writer.prefix, Y.diffUpdate(Y.mergeUpdates(sent), sv)));
      };
      writers.set(a, writer);
    }
  } catch (err) {
    for (const c of [...readers, ...writers.values()]) c.terminate();
    seeder?.terminate();
    throw err;
  }

  const cpu0 = server.cpuSeconds();
  const self0 = selfCpuSeconds();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const elapsed = performance.now() - started;
      while (next < window.steps.length && (window.steps[next] as TypingStep).atMs <= elapsed) {
        const step = window.steps[next++] as TypingStep;
        const writer = writers.get(step.agent) as LightClient;
        sentAt.set(step.index, performance.now());
        writer.send(syncUpdate(writer.prefix, step.update));
        sentUpdates.get(step.agent)?.push(step.update);
      }
      if (next >= window.steps.length) return resolve();
      setTimeout(tick, Math.max(0, (window.steps[next] as TypingStep).atMs - (performance.now() - started)));
    };
    tick();
  });
  const timed = window.steps.filter((s) => s.endClock > 0).length;
  const expected = timed * options.readers;
  const drainUntil = performance.now() + 3_000;
  while (delivered < expected && performance.now() < drainUntil) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  const cpu = server.cpuSeconds() - cpu0;
  const self = selfCpuSeconds() - self0;
  await closeAll([...readers, ...writers.values(), ...(seeder ? [seeder] : [])]);
  const sorted = latencies.sorted();
  return {
    timed,
    expected,
    delivered,
    latencyMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: quantile(sorted, 1) },
    serverCpuPercent: (cpu / seconds) * 100,
    cpuMicrosPerDelivery: delivered > 0 ? (cpu * 1e6) / delivered : Number.NaN,
    generatorCpuPercent: (self / seconds) * 100,
  };
}

export async function benchTyping(ctx: ScenarioContext): Promise<{ figures: Figure[]; runs: unknown[] }> {
  const seconds = ctx.mode.quick ? 3 : 30;
  const readers = ctx.mode.quick ? 50 : 100;
  const trace = prepareTypingTrace();
  if (!trace.converges) ctx.log('  ! the clownschool replay does not converge to its endContent');
  const window = busiestWindow(trace, seconds);
  ctx.log(
    `  typing: ${window.steps.length} transactions in ${seconds} s (${window.perAgent.filter((n) => n > 0).join(' + ')} per writer), ${readers} readers`,
  );
  const collect = new Collector();
  const runs: unknown[] = [];
  const servers = await startAll(ctx);
  let fixtureDoc = 0;
  try {
    for (let rep = 0; rep < ctx.mode.reps; rep++) {
      for (const [kind, server] of servers) {
        const fixture = kind === 'caucus' ? ctx.fixture : null;
        const result = await attempt(ctx.log, `typing on ${kind}`, () =>
          runTyping(server, window, trace.clients, {
            doc: fixture ? (fixture.docs.typing[fixtureDoc++] as string) : peerDoc('typing'),
            readers,
            ...(fixture ? { token: fixture.ownerToken } : {}),
          }),
        );
        collect.add('p50', kind, result?.latencyMs.p50 ?? null);
        collect.add('p99', kind, result?.latencyMs.p99 ?? null);
        collect.add('delivered', kind, result ? (result.delivered / result.expected) * 100 : null);
        collect.add('cpu', kind, result?.serverCpuPercent ?? null);
        if (result) {
          ctx.log(
            `  typing ${kind.padEnd(10)} p50 ${result.latencyMs.p50.toFixed(1)} ms  p99 ${result.latencyMs.p99.toFixed(1)} ms  ` +
              `delivered ${result.delivered}/${result.expected}  server ${result.serverCpuPercent.toFixed(1)}% cpu`,
          );
          runs.push({ scenario: 'typing', rep, server: kind, readers, seconds, ...result });
        }
      }
    }
  } finally {
    await stopAll(servers);
  }
  const scenario = `real typing: clownschool, 2 writers at recorded pace, ${readers} readers, ${seconds} s`;
  return {
    figures: [
      figure(
        { scenario, metric: 'latency p50', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples('p50'),
      ),
      figure(
        { scenario, metric: 'latency p99', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples('p99'),
      ),
      figure(
        { scenario, metric: 'delivered', unit: '%', better: 'higher', digits: 2, noRatio: true },
        collect.samples('delivered'),
      ),
      figure(
        { scenario, metric: 'server CPU', unit: '% of a core', better: 'lower', digits: 1 },
        collect.samples('cpu'),
      ),
    ],
    runs,
  };
}
