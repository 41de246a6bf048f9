/**
 * Durable write throughput: many writers over many documents on connections opened with
 * `?acks=1`, each keeping a window of updates in flight. An update counts once Caucus's durable
 * ack (sent after the commit to SQLite) covers it: the ack carries the document's state vector,
 * and each writer's clock there is how many of its one-character updates are committed. Each
 * writer stays under the default message rate limit (300/s), as a real client must.
 */
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { LightClient, closeAll, openMany } from '../client.js';
import { freshClientId } from '../fanout.js';
import { selfCpuSeconds, sleep } from '../proc.js';
import type { ServerHandle } from '../servers.js';
import { Samples, quantile } from '../stats.js';
import type { Figure } from '../types.js';
import { MSG_DURABLE_ACK, appendUpdate, syncUpdate } from '../wire.js';
import { Collector, attempt, figure, startServer, type ScenarioContext } from './common.js';

/** Updates a writer keeps unacknowledged. */
const WINDOW = 16;
/** Each writer's ceiling, under the server's default 300 messages per second per connection. */
const WRITER_MAX_PER_SECOND = 250;

interface DurableResult {
  writers: number;
  docs: number;
  ackedPerSecond: number;
  offeredCeilingPerSecond: number;
  ackLatencyMs: { p50: number; p99: number };
  serverCpuPercent: number;
  generatorCpuPercent: number;
}

interface Writer {
  client: LightClient;
  id: number;
  clock: number;
  acked: number;
  /** Send times by clock, to time acks. */
  sentAt: Float64Array;
  tokens: number;
}

export async function runDurable(
  server: ServerHandle,
  options: {
    docs: readonly string[];
    tokens: readonly string[];
    writers: number;
    warmupMs: number;
    measureMs: number;
  },
): Promise<DurableResult> {
  const capacity =
    Math.ceil(((options.warmupMs + options.measureMs) / 1000 + 5) * WRITER_MAX_PER_SECOND) + WINDOW;
  const latencies = new Samples(100_000);
  let measuring = false;
  let acked = 0;
  const writers: Writer[] = [];
  const clients = await openMany(options.writers, 50, (i) => {
    const doc = options.docs[i % options.docs.length] as string;
    const token = options.tokens[i % options.tokens.length] as string;
    return { url: server.url(doc, { token, acks: true }), dialect: server.dialect, doc, token, sync: true };
  });
  const pump = (w: Writer) => {
    while (w.clock - w.acked < WINDOW && w.tokens >= 1 && w.clock < capacity) {
      w.tokens -= 1;
      w.sentAt[w.clock] = performance.now();
      w.client.send(syncUpdate(w.client.prefix, appendUpdate(w.id, w.clock, 'x')));
      w.clock++;
    }
  };
  for (const client of clients) {
    const w: Writer = {
      client,
      id: freshClientId(),
      clock: 0,
      acked: 0,
      sentAt: new Float64Array(capacity),
      tokens: 0,
    };
    writers.push(w);
    client.onMessage = (data, offset) => {
      if (data[offset] !== MSG_DURABLE_ACK) return;
      const decoder = decoding.createDecoder(data);
      decoder.pos = offset + 1;
      const committed = Y.decodeStateVector(decoding.readVarUint8Array(decoder)).get(w.id) ?? 0;
      if (committed <= w.acked) return;
      const now = performance.now();
      if (measuring) {
        acked += committed - w.acked;
        for (let c = w.acked; c < committed; c++) latencies.push(now - (w.sentAt[c] as number));
      }
      w.acked = committed;
      pump(w);
    };
  }

  // Refill every writer's allowance 100 times a second, then send what the window allows.
  const refillEveryMs = 10;
  const timer = setInterval(() => {
    for (const w of writers) {
      w.tokens = Math.min(WINDOW, w.tokens + (WRITER_MAX_PER_SECOND * refillEveryMs) / 1000);
      pump(w);
    }
  }, refillEveryMs);
  try {
    await sleep(options.warmupMs);
    measuring = true;
    const cpu0 = server.cpuSeconds();
    const self0 = selfCpuSeconds();
    const started = performance.now();
    await sleep(options.measureMs);
    measuring = false;
    const seconds = (performance.now() - started) / 1000;
    const cpu = server.cpuSeconds() - cpu0;
    const self = selfCpuSeconds() - self0;
    const sorted = latencies.sorted();
    return {
      writers: options.writers,
      docs: options.docs.length,
      ackedPerSecond: acked / seconds,
      offeredCeilingPerSecond: options.writers * WRITER_MAX_PER_SECOND,
      ackLatencyMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) },
      serverCpuPercent: (cpu / seconds) * 100,
      generatorCpuPercent: (self / seconds) * 100,
    };
  } finally {
    clearInterval(timer);
    await closeAll(clients);
  }
}

export async function benchDurable(ctx: ScenarioContext): Promise<{ figures: Figure[]; runs: unknown[] }> {
  const fixture = ctx.fixture;
  if (!fixture || !ctx.servers.includes('caucus')) return { figures: [], runs: [] };
  const writers = ctx.mode.quick ? 120 : 200;
  const docCount = ctx.mode.quick ? 60 : 100;
  const collect = new Collector();
  const runs: unknown[] = [];
  for (let rep = 0; rep < ctx.mode.reps; rep++) {
    const result = await attempt(ctx.log, 'durable writes on caucus', async () => {
      const server = await startServer(ctx, 'caucus');
      try {
        return await runDurable(server, {
          docs: fixture.docs.durable.slice(rep * docCount, (rep + 1) * docCount),
          tokens: fixture.editorTokens,
          writers,
          warmupMs: ctx.mode.quick ? 1_000 : 2_000,
          measureMs: ctx.mode.quick ? 3_000 : 8_000,
        });
      } finally {
        await server.stop();
      }
    });
    collect.add('rate', 'caucus', result?.ackedPerSecond ?? null);
    collect.add('p50', 'caucus', result?.ackLatencyMs.p50 ?? null);
    collect.add('p99', 'caucus', result?.ackLatencyMs.p99 ?? null);
    if (result) {
      ctx.log(
        `  durable ${writers} writers / ${docCount} docs: ${Math.round(result.ackedPerSecond)} acked updates/s ` +
          `(ceiling ${result.offeredCeilingPerSecond}/s), ack p50 ${result.ackLatencyMs.p50.toFixed(1)} ms p99 ${result.ackLatencyMs.p99.toFixed(1)} ms, ` +
          `server ${result.serverCpuPercent.toFixed(0)}% cpu, generator ${result.generatorCpuPercent.toFixed(0)}%`,
      );
      runs.push({ scenario: 'durable', rep, server: 'caucus', ...result });
    }
  }
  const scenario = `durable writes: ${writers} writers over ${docCount} documents, acks=1`;
  const note = 'the in-memory servers store nothing and have no durable acks';
  return {
    figures: [
      figure(
        {
          scenario,
          metric: 'updates committed and acked',
          unit: '/s',
          better: 'higher',
          digits: 0,
          goal: { kind: 'at-least', min: 20_000 },
          note,
        },
        collect.samples('rate'),
      ),
      figure(
        { scenario, metric: 'ack latency p50', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples('p50'),
      ),
      figure(
        { scenario, metric: 'ack latency p99', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples('p99'),
      ),
    ],
    runs,
  };
}
