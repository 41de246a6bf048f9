/**
 * One fan-out run: `receivers` clients on one document, one writer typing into its `Y.Text` at a
 * set rate. Every update carries a marker with its send time; each receiver scans what arrives
 * for markers, so an update counts wherever it lands (also inside a message a server merged from
 * several updates). Reports latency (writer's send to each receiver's arrival), server CPU per
 * delivered update, resident memory per connection, and what the generator itself cost.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LightClient, closeAll, openMany } from './client.js';
import { appendUpdate, marker, nowMicros, scanMarkers, syncUpdate } from './wire.js';
import { Samples, quantile } from './stats.js';
import { selfCpuSeconds, sleep } from './proc.js';
import type { ServerHandle } from './servers.js';

export interface FanoutOptions {
  doc: string;
  /** Caucus's token (readers and the writer); other servers ignore it (Hocuspocus takes any). */
  token?: string;
  receivers: number;
  ratePerSecond: number;
  /** Updates sent before measuring starts (server and generator warm up). */
  warmupUpdates: number;
  /** Updates whose deliveries are measured. */
  measuredUpdates: number;
  /** How long to wait for the last deliveries after the writer stops. */
  drainMs?: number;
  connectConcurrency?: number;
}

export interface FanoutResult {
  receivers: number;
  /** Measured updates sent, and their deliveries expected (× receivers) and seen. */
  sent: number;
  expected: number;
  delivered: number;
  /** Every update of the run (warm-up included) that some receiver never got. */
  missing: number;
  duplicates: number;
  latencyMs: { p50: number; p99: number; max: number; min: number };
  /** Server CPU over the measuring window, per update delivered in that window. */
  cpuMicrosPerDelivery: number;
  /** The same, split into user space and kernel (socket writes are mostly kernel time). */
  userMicrosPerDelivery: number;
  kernelMicrosPerDelivery: number;
  serverCpuPercent: number;
  windowSeconds: number;
  /** Server RSS growth from before the first connection to all connected, per connection. */
  rssPerConnectionKB: number;
  generatorCpuPercent: number;
  generatorLoopDelayP99Ms: number;
  /** Receivers the server closed during the run. */
  closedReceivers: number;
}

let runCounter = Math.floor(Math.random() * 1000);

/** A Yjs clientID that no earlier run used on the same document (they are bound to users). */
export const freshClientId = (): number => 1 + Math.floor(Math.random() * 0x7ffffffe);

export async function runFanout(server: ServerHandle, options: FanoutOptions): Promise<FanoutResult> {
  const run = ++runCounter;
  const { receivers: count, ratePerSecond, warmupUpdates, measuredUpdates } = options;
  const total = warmupUpdates + measuredUpdates;
  const measureFrom = warmupUpdates;
  const clientOptions = (onMessage?: (data: Buffer, offset: number) => void) => ({
    url: server.url(options.doc, options.token === undefined ? {} : { token: options.token }),
    dialect: server.dialect,
    doc: options.doc,
    ...(options.token === undefined ? {} : { token: options.token }),
    sync: server.syncs,
    ...(onMessage ? { onMessage } : {}),
  });

  const latencies = new Samples(count * measuredUpdates);
  const lastSeq = new Int32Array(count).fill(-1);
  let deliveries = 0;
  let duplicates = 0;
  let measuredDelivered = 0;
  const receiverHandler = (i: number) => (data: Buffer, offset: number) => {
    const arrived = nowMicros();
    scanMarkers(
      data,
      (mark) => {
        if (mark.run !== run) return;
        if (mark.seq <= (lastSeq[i] as number)) {
          duplicates++;
          return;
        }
        lastSeq[i] = mark.seq;
        deliveries++;
        if (mark.seq >= measureFrom) {
          measuredDelivered++;
          latencies.push((arrived - mark.sentMicros) / 1000);
        }
      },
      offset,
    );
  };

  const rssBefore = server.rssBytes();
  const receivers = await openMany(count, options.connectConcurrency ?? 100, (i) =>
    clientOptions(receiverHandler(i)),
  );
  let writer: LightClient;
  try {
    writer = await LightClient.open(clientOptions());
  } catch (err) {
    for (const r of receivers) r.terminate();
    throw err;
  }
  const rssConnected = server.rssBytes();

  const client = freshClientId();
  let clock = 0;
  let seq = 0;
  const period = 1000 / ratePerSecond;
  type Snapshot = { cpu: number; user: number; system: number; self: number; at: number; deliveries: number };
  let startSnap: Snapshot | null = null;
  let endSnap: Snapshot | null = null;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const snapshot = (): Snapshot => {
    const { user, system } = server.cpuTimes();
    return { cpu: user + system, user, system, self: selfCpuSeconds(), at: performance.now(), deliveries };
  };

  await new Promise<void>((resolve) => {
    let next = performance.now();
    const tick = () => {
      if (seq === measureFrom) {
        startSnap = snapshot();
        loop.enable();
      }
      if (seq === total) {
        endSnap = snapshot();
        loop.disable();
        resolve();
        return;
      }
      const text = marker(run, 0, seq, nowMicros());
      writer.send(syncUpdate(writer.prefix, appendUpdate(client, clock, text)));
      clock += text.length;
      seq++;
      next += period;
      const now = performance.now();
      // A writer that fell behind (a stalled generator) does not burst to catch up.
      if (next < now - 50) next = now;
      setTimeout(tick, Math.max(0, next - now));
    };
    tick();
  });

  const expected = measuredUpdates * count;
  const drainUntil = performance.now() + (options.drainMs ?? 3_000);
  while (measuredDelivered < expected && performance.now() < drainUntil) await sleep(20);
  const closedReceivers = receivers.filter((r) => r.closed).length;
  await closeAll([...receivers, writer]);

  let missing = 0;
  for (let i = 0; i < count; i++) missing += total - 1 - (lastSeq[i] as number);
  const start = startSnap as unknown as Snapshot;
  const end = endSnap as unknown as Snapshot;
  const windowSeconds = (end.at - start.at) / 1000;
  const windowDeliveries = end.deliveries - start.deliveries;
  const sorted = latencies.sorted();
  return {
    receivers: count,
    sent: measuredUpdates,
    expected,
    delivered: measuredDelivered,
    missing,
    duplicates,
    latencyMs: {
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: quantile(sorted, 1),
      min: quantile(sorted, 0),
    },
    cpuMicrosPerDelivery:
      windowDeliveries > 0 ? ((end.cpu - start.cpu) * 1e6) / windowDeliveries : Number.NaN,
    userMicrosPerDelivery:
      windowDeliveries > 0 ? ((end.user - start.user) * 1e6) / windowDeliveries : Number.NaN,
    kernelMicrosPerDelivery:
      windowDeliveries > 0 ? ((end.system - start.system) * 1e6) / windowDeliveries : Number.NaN,
    serverCpuPercent: windowSeconds > 0 ? ((end.cpu - start.cpu) / windowSeconds) * 100 : Number.NaN,
    windowSeconds,
    rssPerConnectionKB: (rssConnected - rssBefore) / (count + 1) / 1024,
    generatorCpuPercent: windowSeconds > 0 ? ((end.self - start.self) / windowSeconds) * 100 : Number.NaN,
    generatorLoopDelayP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0,
    closedReceivers,
  };
}
