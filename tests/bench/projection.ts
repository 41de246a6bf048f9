/**
 * Read-model benchmark (issue 4): projection lag — from a thread update being committed to the
 * read model holding it, debounce included — with 200 documents each receiving 5 updates per
 * second (goal: p99 under 250 ms); and the time `rebuild-projection` takes for 10,000 documents.
 *
 * The lag is what the server measures itself (the same numbers as `caucus_projection_lag_seconds`),
 * so the server runs in this process; the writers are light raw y-websocket clients (one socket
 * per document, hand-built updates), which cost little next to the server. Also reported: the
 * time from a writer sending an update to the read model holding it, and how many updates one
 * projection covered on average.
 *
 * The rebuild runs on a database filled directly through the document store: per thread a title,
 * a body typed in five updates and four messages, half of the documents compacted into snapshots.
 *
 * Run alone: `node --conditions=caucus-source --import tsx tests/bench/projection.ts [--quick]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as Y from 'yjs';
import { newId, tables, threadDoc, type ThreadId, type UserId, type WorkspaceId } from '@caucus/schema';
import {
  foldToSnapshot,
  loadConfig,
  openDb,
  rebuildProjection,
  SqliteDocStore,
  startServer,
  type AppendEntry,
} from '@caucus/sync-server';
import { api, createThread, signup } from '../support/server.js';
import { openMany, closeAll, type LightClient } from './client.js';
import { Samples, quantile, round } from './stats.js';
import { Y_WEBSOCKET, appendUpdate, syncUpdate } from './wire.js';

const DOCUMENTS = 200;
const UPDATES_PER_SECOND = 5;
const LAG_GOAL_MS = 250;
const WORDS = [
  'budget',
  'flamingo',
  'quarter',
  'approve',
  'roadmap',
  'risk',
  'owner',
  'vendor',
  'draft',
  'review',
];

export interface ProjectionBenchOptions {
  quick: boolean;
  log?: (line: string) => void;
}

export async function benchProjection({
  quick,
  log = () => {},
}: ProjectionBenchOptions): Promise<Record<string, number | string>> {
  const dir = await mkdtemp(join(tmpdir(), 'caucus-bench-projection-'));
  try {
    const lag = await measureLag(join(dir, 'lag'), quick ? 5 : 20, log);
    const rebuild = await measureRebuild(join(dir, 'rebuild.db'), quick ? 1_000 : 10_000, log);
    return { ...lag, ...rebuild };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureLag(dataDir: string, seconds: number, log: (line: string) => void) {
  const config = loadConfig(
    { CAUCUS_JWT_SECRET: 'caucus-bench-secret-'.padEnd(48, 'x') },
    { port: 0, dataDir, logLevel: 'silent', limits: { maxConnectionsPerUser: 10 * DOCUMENTS } },
  );
  const server = await startServer(config);
  const wsBase = server.url.replace(/^http/, 'ws') + '/sync';
  let clients: LightClient[] = [];
  try {
    const user = await signup(server.url, 'bench');
    const token = (
      await api<{ token: string }>(server.url, 'POST', '/api/tokens', {
        token: user.accessToken,
        body: { name: 'bench' },
      })
    ).body.token;
    const threads: string[] = [];
    for (let i = 0; i < DOCUMENTS; i++)
      threads.push(await createThread(server.url, user, user.workspaceId, `Doc ${i}`));
    await server.readModel.flush();
    clients = await openMany(DOCUMENTS, 50, (i) => ({
      url: `${wsBase}/thread:${threads[i]}?token=${token}`,
      dialect: Y_WEBSOCKET,
      doc: `thread:${threads[i]}`,
      sync: true,
    }));
    log(`  ${DOCUMENTS} documents, ${UPDATES_PER_SECOND} updates/s each, ${seconds} s measured`);

    // Per document: its clientID, clock, and the send time of each update by log seq (the
    // document's seq 1 is the server's seeding of the title).
    const docs = threads.map((id, i) => ({
      id,
      client: 1_000_000 + i,
      clock: 0,
      nextSeq: 2,
      sentAt: new Map<number, number>(),
      nextAt: 0,
    }));
    const index = new Map(docs.map((d) => [d.id, d]));
    const commitLag = new Samples(seconds * DOCUMENTS * UPDATES_PER_SECOND);
    const sendLag = new Samples(seconds * DOCUMENTS * UPDATES_PER_SECOND);
    let measuring = false;
    let projections = 0;
    let written = 0;
    const off = server.readModel.projector.onProjected((e) => {
      const doc = index.get(e.threadId);
      if (!doc) return;
      const now = performance.now();
      for (const [seq, at] of doc.sentAt) {
        if (seq > e.seq) continue;
        doc.sentAt.delete(seq);
        if (measuring) sendLag.push(now - at);
      }
      if (!measuring) return;
      projections++;
      if (e.outcome === 'written') written++;
      for (const ms of e.lagsMs) commitLag.push(ms);
    });

    const periodMs = 1000 / UPDATES_PER_SECOND;
    const start = performance.now() + 50;
    docs.forEach((d, i) => (d.nextAt = start + (i / DOCUMENTS) * periodMs));
    let sent = 0;
    let sentMeasured = 0;
    const send = () => {
      const now = performance.now();
      for (const [i, d] of docs.entries()) {
        if (d.nextAt > now) continue;
        d.nextAt += periodMs;
        const text = `${WORDS[(d.clock + i) % WORDS.length]} `;
        (clients[i] as LightClient).send(
          syncUpdate(new Uint8Array(0), appendUpdate(d.client, d.clock, text)),
        );
        d.clock += text.length;
        d.sentAt.set(d.nextSeq++, now);
        sent++;
        if (measuring) sentMeasured++;
      }
    };
    const ticker = setInterval(send, 5);
    const warmupMs = 2_000;
    await new Promise((resolve) => setTimeout(resolve, warmupMs));
    measuring = true;
    const cpuBefore = process.cpuUsage();
    const measuredFrom = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    clearInterval(ticker);
    const windowMs = performance.now() - measuredFrom;
    const cpu = process.cpuUsage(cpuBefore);
    await server.readModel.flush();
    measuring = false;
    off();

    const commit = commitLag.sorted();
    const end = sendLag.sorted();
    const p99 = quantile(commit, 0.99);
    log(
      `  commit → projected: p50 ${round(quantile(commit, 0.5))} ms, p99 ${round(p99)} ms (goal < ${LAG_GOAL_MS})`,
    );
    return {
      lagDocuments: DOCUMENTS,
      lagUpdatesPerDocPerSecond: UPDATES_PER_SECOND,
      lagUpdatesMeasured: commit.length,
      lagUpdatesSent: sentMeasured,
      lagCommitToProjectedP50Ms: round(quantile(commit, 0.5)),
      lagCommitToProjectedP99Ms: round(p99),
      lagCommitToProjectedMaxMs: round(quantile(commit, 1)),
      lagGoal: `p99 < ${LAG_GOAL_MS} ms: ${p99 < LAG_GOAL_MS ? 'met' : 'MISSED'}`,
      lagSendToProjectedP99Ms: round(quantile(end, 0.99)),
      lagUpdatesPerProjection: round(commit.length / Math.max(1, projections)),
      lagProjectionsWritten: written,
      lagServerCpuPercent: round(((cpu.user + cpu.system) / 1000 / windowMs) * 100, 1),
      lagTotalUpdatesSent: sent,
    };
  } finally {
    await closeAll(clients);
    await server.close();
  }
}

async function measureRebuild(path: string, count: number, log: (line: string) => void) {
  const db = openDb({ path });
  try {
    const filled = performance.now();
    fillThreads(db, count);
    log(`  ${count} documents written in ${Math.round(performance.now() - filled)} ms; rebuilding`);
    const report = await rebuildProjection(db);
    if (report.threads !== count) throw new Error(`rebuilt ${report.threads} of ${count} threads`);
    const messages = (
      db.$client.prepare('SELECT count(*) AS n FROM projected_messages').get() as { n: number }
    ).n;
    if (messages !== count * 4) throw new Error(`projected ${messages} messages, expected ${count * 4}`);
    log(`  rebuild: ${report.durationMs} ms`);
    return {
      rebuildDocuments: count,
      rebuildMs: report.durationMs,
      rebuildDocsPerSecond: Math.round((count / report.durationMs) * 1000),
    };
  } finally {
    db.$client.close();
  }
}

/** Writes `count` threads and their documents straight into the store, 500 per transaction. */
function fillThreads(db: ReturnType<typeof openDb>, count: number): void {
  const store = new SqliteDocStore(db);
  const workspaceId = newId<WorkspaceId>();
  const author = newId<UserId>();
  const now = Date.now();
  const batch: AppendEntry[] = [];
  const snapshots: Array<ReturnType<typeof foldToSnapshot>> = [];
  const flush = () => {
    db.$client.transaction(() => {
      void store.append(batch.splice(0));
      for (const snapshot of snapshots.splice(0)) void store.writeSnapshot(snapshot);
    })();
  };
  for (let i = 0; i < count; i++) {
    const id = newId<ThreadId>(now + i);
    db.insert(tables.threads)
      .values({
        id,
        workspaceId,
        title: `Thread ${i}`,
        intent: null,
        status: 'active',
        createdBy: author,
        createdAt: now,
        updatedAt: now,
      })
      .run();
    const doc = new Y.Doc();
    const name = threadDoc(id);
    let seq = 0;
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getMap('meta').set('title', `Thread ${i} about the ${WORDS[i % WORDS.length]}`);
    const body = doc.getText('body');
    for (let p = 0; p < 5; p++) body.insert(body.length, `Paragraph ${p}: ${WORDS.join(' ')} ${i}. `);
    for (let m = 0; m < 4; m++) {
      const message = new Y.Map<unknown>();
      message.set('id', `m${m}`);
      message.set('author', author);
      message.set('text', `message ${m} on ${WORDS[(i + m) % WORDS.length]}`);
      message.set('at', now + m);
      doc.getArray('messages').push([message]);
    }
    for (const update of updates) batch.push({ doc: name, seq: ++seq, update, actor: author, at: now });
    if (i % 2 === 0) snapshots.push(foldToSnapshot(doc, name, seq));
    doc.destroy();
    if (batch.length >= 5_000) flush();
  }
  flush();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchProjection({ quick: process.argv.includes('--quick'), log: (line) => console.log(line) }).then(
    (figures) => {
      for (const [key, value] of Object.entries(figures)) console.log(`${key.padEnd(34)} ${value}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
