/**
 * Open and sync 500 thread documents (issue 10, first figure): one multiplexed socket
 * (`caucus.mux.v1`: one upgrade, one `subscribe` frame with every state vector, the 500 answers
 * pipelined back) against 500 y-websocket connections (500 upgrades and handshakes, all started at
 * once, as an app reconnecting with 500 providers does) to the same Caucus server.
 *
 * Each run starts a fresh server process on the fixture, warms it up on other documents, lets its
 * memory settle, then opens the 500 documents from cold (stored in SQLite, not in memory) and
 * measures the time until every document's sync step 2 arrived, and the growth of the server's JS
 * heap plus external memory after a full GC (RSS is logged too; at 1-3 MB it moves by less than
 * its own noise). Both sides are light clients (no Y.Doc), so the time is the server's and the
 * wire's, not a client library's. The protocols alternate which goes first.
 */
import WebSocket from 'ws';
import { MUX_SUBPROTOCOL, decodeMuxServer, encodeMuxClient } from '@caucus/schema';
import { openMany, type LightClient } from '../client.js';
import { QUICK_SETTLE, settledMemory } from '../proc.js';
import type { ServerHandle } from '../servers.js';
import { median } from '../stats.js';
import type { Figure } from '../types.js';
import { MSG_SYNC, STEP2 } from '../wire.js';
import { Collector, attempt, figure, startServer, type ScenarioContext } from './common.js';

export const MUX_DOCS = 500;
/** Documents of the pool besides the measured ones, opened to warm the server up. */
export const MUX_WARMUP_DOCS = 20;

/**
 * `documents`: the 500 documents loaded and nothing holding them (a mux socket subscribes, waits
 * for every answer and unsubscribes; the server keeps idle documents loaded for 30 s), so the
 * other two can be split into what the documents cost and what their connections cost.
 */
type Protocol = 'mux' | 'per-document' | 'documents';

interface Run {
  protocol: Protocol;
  ms: number;
  rssGrowthMB: number;
  retainedGrowthMB: number;
}

/** One multiplexed socket subscribing to `docs` in one frame; resolves with it once all are synced. */
function syncMux(server: ServerHandle, token: string, docs: readonly string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/sync`, [MUX_SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    const pending = new Set(docs);
    const timer = setTimeout(
      () => fail(new Error(`${pending.size} documents not synced within 60 s`)),
      60_000,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    };
    ws.once('unexpected-response', (_req, res) => fail(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.on('error', fail);
    ws.once('open', () =>
      ws.send(
        encodeMuxClient({
          type: 'subscribe',
          docs: docs.map((doc) => ({ doc, acks: false, stateVector: Uint8Array.of(0) })),
        }),
      ),
    );
    const onMessage = (data: Buffer) => {
      const m = decodeMuxServer(new Uint8Array(data));
      if (m.type === 'closed') return fail(new Error(`${m.doc} refused: ${m.code} ${m.reason}`));
      if (m.type !== 'doc' || m.message[0] !== MSG_SYNC || m.message[1] !== STEP2) return;
      pending.delete(m.doc);
      if (pending.size > 0) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(ws);
    };
    ws.on('message', onMessage);
  });
}

/** Unsubscribes `docs` and resolves once every one is closed. */
function unsubscribeAll(ws: WebSocket, docs: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const open = new Set(docs);
    ws.on('message', (data: Buffer) => {
      const m = decodeMuxServer(new Uint8Array(data));
      if (m.type === 'closed' && open.delete(m.doc) && open.size === 0) resolve();
    });
    ws.send(encodeMuxClient({ type: 'unsubscribe', docs: [...docs] }));
  });
}

function syncPerDocument(
  server: ServerHandle,
  token: string,
  docs: readonly string[],
): Promise<LightClient[]> {
  return openMany(docs.length, docs.length, (i) => ({
    url: server.url(docs[i] as string, { token }),
    dialect: server.dialect,
    doc: docs[i] as string,
    token,
    sync: true,
    timeoutMs: 60_000,
  }));
}

async function runOnce(
  ctx: ScenarioContext,
  protocol: Protocol,
  docs: readonly string[],
  warmup: readonly string[],
): Promise<Run> {
  const fixture = ctx.fixture;
  if (!fixture) throw new Error('the mux scenario needs the Caucus fixture');
  const token = fixture.ownerToken;
  const server = await startServer(ctx, 'caucus');
  const settle = ctx.mode.quick ? QUICK_SETTLE : {};
  try {
    // Both code paths compiled and pools allocated before the baseline.
    const warmMux = await syncMux(server, token, warmup);
    const warmDocs = await syncPerDocument(server, token, warmup);
    warmMux.terminate();
    for (const c of warmDocs) c.terminate();
    const before = await settledMemory(server, settle);
    const started = performance.now();
    let close: () => void;
    if (protocol === 'mux') {
      const ws = await syncMux(server, token, docs);
      close = () => ws.terminate();
    } else if (protocol === 'documents') {
      const ws = await syncMux(server, token, docs);
      await unsubscribeAll(ws, docs);
      close = () => ws.terminate();
    } else {
      const clients = await syncPerDocument(server, token, docs);
      close = () => clients.forEach((c) => c.terminate());
    }
    const ms = performance.now() - started;
    const after = await settledMemory(server, settle);
    close();
    return {
      protocol,
      ms,
      rssGrowthMB: (after.rss - before.rss) / 2 ** 20,
      retainedGrowthMB: (after.retained - before.retained) / 2 ** 20,
    };
  } finally {
    await server.stop();
  }
}

export async function benchMux(ctx: ScenarioContext): Promise<{ figures: Figure[]; runs: unknown[] }> {
  const fixture = ctx.fixture;
  if (!fixture || !ctx.servers.includes('caucus')) {
    ctx.log('  (needs Caucus)');
    return { figures: [], runs: [] };
  }
  const docs = fixture.docs.mux.slice(0, MUX_DOCS);
  const warmup = fixture.docs.mux.slice(MUX_DOCS, MUX_DOCS + MUX_WARMUP_DOCS);
  const collect = new Collector();
  const runs: Run[] = [];
  for (let rep = 0; rep < ctx.mode.reps; rep++) {
    const order: Protocol[] =
      rep % 2 === 0 ? ['mux', 'per-document', 'documents'] : ['documents', 'per-document', 'mux'];
    for (const protocol of order) {
      const run = await attempt(ctx.log, `mux scenario (${protocol})`, () =>
        runOnce(ctx, protocol, docs, warmup),
      );
      collect.add(`${protocol}:ms`, 'caucus', run?.ms ?? null);
      collect.add(`${protocol}:mb`, 'caucus', run?.retainedGrowthMB ?? null);
      if (!run) continue;
      runs.push(run);
      ctx.log(
        `  ${docs.length} documents, ${protocol.padEnd(12)} ${run.ms.toFixed(0)} ms, server JS heap + external +${run.retainedGrowthMB.toFixed(2)} MB (RSS +${run.rssGrowthMB.toFixed(1)} MB)`,
      );
    }
  }
  const perDocMs = median(collect.samples('per-document:ms').caucus ?? []);
  const perDocMb = median(collect.samples('per-document:mb').caucus ?? []);
  const scenario = `open and sync ${docs.length} thread documents`;
  const rounded = (v: number | null, digits: number) =>
    Math.round((v ?? Number.NaN) * 10 ** digits) / 10 ** digits;
  const label = `${docs.length} y-websocket connections`;
  const vs = (ratio: number, baseline: number | null, digits: number) => ({
    kind: 'vs-baseline' as const,
    ratio,
    baseline: rounded(baseline, digits),
    baselineLabel: label,
    ratioLabel: `of ${label}`,
  });
  // What the connections cost beyond the loaded documents (the same for both protocols).
  const alone = collect.samples('documents:mb').caucus ?? [];
  const beyond = (key: Protocol) =>
    (collect.samples(`${key}:mb`).caucus ?? []).map((v, rep) => v - (alone[rep] ?? Number.NaN));
  const muxBeyond = median(beyond('mux'));
  const docBeyond = median(beyond('per-document'));
  const share = muxBeyond === null || docBeyond === null || docBeyond <= 0 ? null : muxBeyond / docBeyond;
  const note =
    `Caucus only: one multiplexed socket vs ${label} to the same server, from cold (a fresh process, the documents in SQLite), with light clients (no Y.Doc); ` +
    "memory is the server's JS heap + external growth after a full GC (RSS moves by less than its noise at this size); " +
    '"the documents alone" is the same 500 documents loaded with no connection holding them, which either protocol pays the same; ' +
    `what the connections cost beyond it: ${share === null ? 'no data' : `${share.toFixed(2)}× over one multiplexed socket`}`;
  return {
    figures: [
      figure(
        {
          scenario,
          metric: 'time, one multiplexed socket',
          unit: 'ms',
          better: 'lower',
          digits: 0,
          goal: vs(0.3, perDocMs, 0),
          note,
        },
        collect.samples('mux:ms'),
      ),
      figure(
        { scenario, metric: `time, ${label}`, unit: 'ms', better: 'lower', digits: 0, noRatio: true },
        collect.samples('per-document:ms'),
      ),
      figure(
        {
          scenario,
          metric: 'server memory, one multiplexed socket',
          unit: 'MB',
          better: 'lower',
          digits: 2,
          goal: vs(0.2, perDocMb, 2),
        },
        collect.samples('mux:mb'),
      ),
      figure(
        {
          scenario,
          metric: `server memory, ${label}`,
          unit: 'MB',
          better: 'lower',
          digits: 2,
          noRatio: true,
        },
        collect.samples('per-document:mb'),
      ),
      figure(
        {
          scenario,
          metric: 'server memory, the documents alone',
          unit: 'MB',
          better: 'lower',
          digits: 2,
          noRatio: true,
        },
        collect.samples('documents:mb'),
      ),
      figure(
        {
          scenario,
          metric: 'connections beyond the documents, one multiplexed socket',
          unit: 'MB',
          better: 'lower',
          digits: 2,
          noRatio: true,
        },
        { caucus: beyond('mux') },
      ),
      figure(
        {
          scenario,
          metric: `connections beyond the documents, ${label}`,
          unit: 'MB',
          better: 'lower',
          digits: 2,
          noRatio: true,
        },
        { caucus: beyond('per-document') },
      ),
    ],
    runs,
  };
}
