/**
 * Cold load: the seph-blog1 document (137,993 keystrokes of one person writing a blog post),
 * stored the way Caucus stores it (its log folded into a snapshot in SQLite), not in memory. A
 * new client connects and the time to its completed sync (sync step 2 received in full) is
 * compared with `Y.applyUpdate` of the same state into a fresh `Y.Doc` in memory. The in-memory
 * peers have no storage, so they have no cold load; their warm load (the document already in
 * memory, held by another client) is shown next to Caucus's warm load.
 */
import * as Y from 'yjs';
import { LightClient } from '../client.js';
import { sleep } from '../proc.js';
import type { ServerHandle } from '../servers.js';
import { median } from '../stats.js';
import type { Figure } from '../types.js';
import { syncStep2 } from '../wire.js';
import { Collector, attempt, figure, peerDoc, startServer, type ScenarioContext } from './common.js';

/** Caucus unloads an idle document this fast in this scenario, so every repetition loads cold. */
export const COLD_IDLE_UNLOAD_MS = 200;

/** Median time of `Y.applyUpdate(new Y.Doc(), state)` in this process, after warm-up runs. */
export function inMemoryApplyMs(state: Uint8Array, runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const doc = new Y.Doc();
    const started = performance.now();
    Y.applyUpdate(doc, state);
    const ms = performance.now() - started;
    doc.destroy();
    if (i >= 2) times.push(ms);
  }
  return median(times) as number;
}

/** Connects a new client to `doc`; the time to sync step 2 and its size. */
async function syncOnce(
  server: ServerHandle,
  doc: string,
  token?: string,
): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  const client = await LightClient.open({
    url: server.url(doc, token === undefined ? {} : { token }),
    dialect: server.dialect,
    doc,
    ...(token === undefined ? {} : { token }),
    sync: true,
    onSynced: (data) => {
      bytes = data.length;
    },
  });
  const ms = client.readyAt - client.startedAt;
  await client.close();
  return { ms, bytes };
}

async function documentsLoaded(server: ServerHandle): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
  const body = (await res.json()) as { documents?: number };
  return body.documents ?? 0;
}

/** Waits until Caucus has unloaded every document (bounded). */
export async function untilUnloaded(server: ServerHandle, maxMs = 10_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    if ((await documentsLoaded(server)) === 0) return;
    await sleep(50);
  }
  throw new Error('documents were not unloaded in time');
}

export async function benchColdLoad(ctx: ScenarioContext): Promise<{ figures: Figure[]; runs: unknown[] }> {
  const collect = new Collector();
  const runs: unknown[] = [];
  const fixture = ctx.fixture;
  const reps = ctx.mode.quick ? 3 : 7;
  if (!fixture) return { figures: [], runs };
  const state = fixture.cold.state;
  const inMemory = inMemoryApplyMs(state);
  ctx.log(
    `  cold load: Y.applyUpdate of the ${(state.length / 1024).toFixed(0)} KB state in memory: ${inMemory.toFixed(1)} ms`,
  );

  for (const kind of ctx.servers) {
    if (kind === 'relay') continue;
    await attempt(ctx.log, `cold load on ${kind}`, async () => {
      const server = await startServer(ctx, kind, { CAUCUS_IDLE_UNLOAD_MS: String(COLD_IDLE_UNLOAD_MS) });
      const holders: LightClient[] = [];
      try {
        let doc: string;
        let token: string | undefined;
        if (kind === 'caucus') {
          token = fixture.ownerToken;
          doc = fixture.cold.doc;
          // Warm-up on a copy: the load path is compiled before the measured loads.
          await syncOnce(server, fixture.cold.warmupDoc, token);
          for (let i = 0; i < reps; i++) {
            await untilUnloaded(server);
            const { ms, bytes } = await syncOnce(server, doc, token);
            if (bytes < state.length * 0.9)
              throw new Error(`step 2 of ${bytes} bytes is not the whole document`);
            collect.add('cold', kind, ms);
            runs.push({ scenario: 'cold-load', server: kind, rep: i, ms, bytes });
          }
        } else {
          doc = peerDoc('cold');
          // The in-memory servers get the document from a client that stays connected.
          const holder = await LightClient.open({
            url: server.url(doc),
            dialect: server.dialect,
            doc,
            sync: true,
          });
          holders.push(holder);
          holder.send(syncStep2(holder.prefix, state));
          await sleep(500);
          await syncOnce(server, doc);
        }
        if (kind === 'caucus') {
          const holder = await LightClient.open({
            url: server.url(doc, token === undefined ? {} : { token }),
            dialect: server.dialect,
            doc,
            sync: true,
          });
          holders.push(holder);
        }
        for (let i = 0; i < reps; i++) {
          const { ms, bytes } = await syncOnce(server, doc, token);
          if (bytes < state.length * 0.9)
            throw new Error(`step 2 of ${bytes} bytes is not the whole document`);
          collect.add('warm', kind, ms);
          runs.push({ scenario: 'warm-load', server: kind, rep: i, ms, bytes });
        }
      } finally {
        for (const h of holders) h.terminate();
        await server.stop();
      }
    });
  }
  const cold = median(collect.samples('cold').caucus ?? []);
  if (cold !== null)
    ctx.log(
      `  cold load on caucus: ${cold.toFixed(1)} ms (${(cold / inMemory).toFixed(2)}× in-memory applyUpdate)`,
    );
  const scenario = `load seph-blog1 (${fixture.cold.keystrokes.toLocaleString('en')} keystrokes, ${(state.length / 1024).toFixed(0)} KB)`;
  return {
    figures: [
      figure(
        {
          scenario,
          metric: 'cold: stored → client synced',
          unit: 'ms',
          better: 'lower',
          digits: 1,
          goal: {
            kind: 'vs-baseline',
            ratio: 2,
            baseline: Math.round(inMemory * 10) / 10,
            baselineLabel: 'Y.applyUpdate in memory',
          },
          note: 'the in-memory servers have no storage, so no cold load',
        },
        collect.samples('cold'),
      ),
      figure(
        { scenario, metric: 'warm: in memory → client synced', unit: 'ms', better: 'lower', digits: 1 },
        collect.samples('warm'),
      ),
    ],
    runs,
  };
}
