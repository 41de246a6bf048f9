/**
 * The sync client's figures (issue 10): back online after a stretch offline with 500 open
 * documents, 50 of them edited — time until all are acknowledged (goal ≤ 1 s); a Node client's
 * cold start from its state dir with 500 documents — time to the first read (goal ≤ 300 ms); the
 * browser bundle, minified + gzip with yjs (goal ≤ 60 KB). The server runs as its own process.
 *
 * Run alone: `node --conditions=caucus-source --import tsx tests/bench/sync-client.ts [--quick]`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { staticToken, type CaucusClient } from '@caucus/client';
import { createNodeClient } from '@caucus/client/node';
import type { UserId } from '@caucus/schema';
import { ProcessServer } from '../support/process-server.js';
import { addMember, api, createThread, signup, type TestUser } from '../support/server.js';
import { cpuSeconds, selfCpuSeconds } from './proc.js';
import type { Figure } from './types.js';

const DOCS = 500;
const EDITED = 50;
/** One user creates at most this many threads before the server's intent rate limit slows it. */
const THREADS_PER_CREATOR = 250;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COLD_START_SCRIPT = fileURLToPath(new URL('./sync-client-cold.ts', import.meta.url));

async function token(url: string, user: TestUser): Promise<string> {
  const res = await api<{ token: string }>(url, 'POST', '/api/tokens', {
    token: user.accessToken,
    body: { name: 'bench' },
  });
  return res.body.token;
}

function whenAcknowledged(client: CaucusClient): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      const s = client.status.current;
      return s.connection === 'online' && s.unsynced === 0 && [...s.docs.values()].every((d) => d.synced);
    };
    if (done()) return resolve();
    const off = client.status.subscribe(() => done() && (off(), resolve()));
  });
}

/** Cold start in a fresh process: modules loaded, then createClient → first read of a thread. */
function coldStart(args: string[]): Promise<{ importMs: number; firstReadMs: number; messages: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=caucus-source', '--import', 'tsx', COLD_START_SCRIPT, ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`cold start exited ${code}`)),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function benchSyncClient({ quick }: { quick: boolean }): Promise<{ figures: Figure[] }> {
  const reps = quick ? 3 : 7;
  const dir = await mkdtemp(join(tmpdir(), 'caucus-bench-client-'));
  const server = await ProcessServer.start({ dataDir: join(dir, 'data') });
  const stateDir = join(dir, 'state');
  try {
    const owner = await signup(server.url, 'owner');
    const helper = await signup(server.url, 'helper');
    await addMember(server.url, owner, owner.workspaceId, helper, 'editor');
    const threads: string[] = [];
    for (let i = 0; i < DOCS; i++)
      threads.push(
        await createThread(server.url, i < THREADS_PER_CREATOR ? owner : helper, owner.workspaceId, `t${i}`),
      );
    const ownerToken = await token(server.url, owner);
    const client = createNodeClient({
      url: server.url,
      auth: staticToken(ownerToken),
      stateDir,
      user: owner.id as UserId,
    });
    const views = threads.map((id) => client.thread(id));
    await Promise.all(views.map((v) => v.whenSynced));

    const backOnline: number[] = [];
    const backOnlineCpu: number[] = [];
    const serverPid = server.pid ?? 0;
    for (let rep = 0; rep < reps; rep++) {
      client.disconnect();
      for (const v of views.slice((rep * 7) % (DOCS - EDITED)).slice(0, EDITED))
        await v.post(`offline edit ${rep}`);
      const started = performance.now();
      const cpu0 = selfCpuSeconds() + cpuSeconds(serverPid);
      client.connect();
      await whenAcknowledged(client);
      backOnline.push(performance.now() - started);
      backOnlineCpu.push((selfCpuSeconds() + cpuSeconds(serverPid) - cpu0) * 1000);
    }
    await client.close();

    const cold: number[] = [];
    let imports = 0;
    for (let rep = 0; rep < reps; rep++) {
      const r = await coldStart([server.url, ownerToken, stateDir, threads[DOCS - 1] ?? '', owner.id]);
      if (r.messages < 0) throw new Error('cold start read nothing');
      cold.push(r.firstReadMs);
      imports = r.importMs;
    }

    const { bundleSize } = (await import(
      pathToFileURL(join(ROOT, 'packages/client/scripts/bundle.js')).href
    )) as {
      bundleSize: () => Promise<{ gzipBytes: number; minifiedBytes: number }>;
    };
    const bundle = await bundleSize();
    const one = (metric: string, unit: string, value: number, max: number, note: string): Figure => ({
      scenario: 'sync client',
      metric,
      unit,
      better: 'lower',
      values: { caucus: value },
      goal: { kind: 'at-most', max },
      note,
      noRatio: true,
    });
    return {
      figures: [
        one(
          `back online: ${DOCS} open documents, ${EDITED} edited offline, until all acknowledged`,
          'ms',
          round(median(backOnline)),
          1000,
          `one socket: connect, one subscribe frame with ${DOCS} state vectors, ${EDITED} documents' edits sent and durably acked; median of ${reps}; client + server CPU ${round(median(backOnlineCpu))} ms (wall time on a loaded machine waits for CPU: load average ${loadavg()[0]?.toFixed(1)} at the end)`,
        ),
        one(
          `cold start from a state dir with ${DOCS} documents: to the first read`,
          'ms',
          round(median(cold)),
          300,
          `a fresh Node process, SQLite state dir; createClient → a thread's messages, after the modules loaded (loading them under tsx took ${round(imports)} ms); median of ${reps}`,
        ),
        one(
          'browser bundle of @caucus/client, minified + gzip (yjs included)',
          'KB',
          round(bundle.gzipBytes / 1024),
          60,
          `esbuild, ESM, Node-only chunks split off; ${round(bundle.minifiedBytes / 1024)} KB minified`,
        ),
      ],
    };
  } finally {
    await server.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchSyncClient({ quick: process.argv.includes('--quick') }).then(
    ({ figures }) => {
      for (const f of figures) console.log(`${f.metric}: ${f.values.caucus} ${f.unit} — ${f.note ?? ''}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
