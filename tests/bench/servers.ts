/**
 * The servers under test, each started by the bench as its own child process with its defaults:
 * Caucus as users run it (`caucus serve`: auth on, every update committed to SQLite), the
 * reference y-websocket server (y-websocket@1.5.4 `bin/server.js`, in memory), Hocuspocus (in
 * memory) and a bare `ws` relay (the floor).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { HOCUSPOCUS, Y_WEBSOCKET, type Dialect } from './wire.js';
import { cpuSeconds, cpuTimes, rssBytes } from './proc.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const SERVER_KINDS = ['caucus', 'reference', 'hocuspocus', 'relay'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];
/** The servers Caucus is compared with (the relay is the floor, not an alternative). */
export const PEERS = ['reference', 'hocuspocus'] as const satisfies readonly ServerKind[];

function version(pkg: string): string {
  try {
    const json = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return json.version ?? '?';
  } catch {
    return '?';
  }
}

export const LABELS: Record<ServerKind, string> = {
  caucus: 'Caucus',
  reference: `y-websocket ${version('y-websocket-legacy')} server`,
  hocuspocus: `Hocuspocus ${version('@hocuspocus/server')}`,
  relay: 'bare ws relay (floor)',
};

/** Settings Caucus runs with in every bench, stated in the report. */
export const CAUCUS_BENCH_ENV: Record<string, string> = {
  // Thousands of connections come from one bench user; a real deployment with that many
  // connections per account would raise this too. Messages per second stay at the default.
  CAUCUS_MAX_CONNECTIONS_PER_USER: '100000',
  CAUCUS_LOG_LEVEL: 'info',
};

/** `process.memoryUsage()` of a server right after a full garbage collection, in bytes. */
export interface ServerMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export const BENCH_SECRET = 'caucus-bench-secret-'.padEnd(48, 'x');

export interface ServerHandle {
  readonly kind: ServerKind;
  readonly pid: number;
  readonly port: number;
  readonly dialect: Dialect;
  /** Whether clients sync (a Yjs server) or just open (the relay). */
  readonly syncs: boolean;
  /** The WebSocket URL for `doc`; Caucus needs a token (and may ask for durable acks). */
  url(doc: string, options?: { token?: string; acks?: boolean }): string;
  cpuSeconds(): number;
  /** User and kernel CPU seconds, separately. */
  cpuTimes(): { user: number; system: number };
  rssBytes(): number;
  /** Runs a full garbage collection in the server and reports its memory (see peers/gc-signal.js). */
  collectGarbage(): Promise<ServerMemory>;
  /** The last lines the process printed (for error reports). */
  output(): string;
  /** Stops the process (SIGKILL unless told otherwise) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

interface SpawnSpec {
  args: string[];
  env: Record<string, string>;
  /** The port, once a printed line says the server listens. */
  ready(line: string): number | null;
}

/** Node flags every server gets: a full GC on SIGUSR2, for memory figures. */
const GC_ARGS = ['--expose-gc', '--import', join(ROOT, 'tests/bench/peers/gc-signal.js')];

const live = new Set<ChildProcess>();
/** Kills every server this process started (they would outlive it otherwise). */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGKILL');
}
process.once('exit', killAllServers);

async function spawnServer(
  kind: ServerKind,
  spec: SpawnSpec,
  make: (
    port: number,
  ) => Omit<
    ServerHandle,
    'kind' | 'pid' | 'port' | 'cpuSeconds' | 'cpuTimes' | 'rssBytes' | 'collectGarbage' | 'output' | 'stop'
  >,
): Promise<ServerHandle> {
  const child = spawn(process.execPath, [...GC_ARGS, ...spec.args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  const memoryWaiters: Array<(memory: ServerMemory) => void> = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} did not start in 30 s:\n${tail.join('\n')}`)),
      30_000,
    );
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith('{"bench":"memory"')) {
          const memory = JSON.parse(line) as ServerMemory;
          for (const waiter of memoryWaiters.splice(0)) waiter(memory);
          continue;
        }
        remember(line);
        const found = spec.ready(line);
        if (found !== null) {
          clearTimeout(timer);
          resolve(found);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) remember(line);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited before listening:\n${tail.join('\n')}`));
    });
  });
  const pid = child.pid as number;
  return {
    kind,
    pid,
    port,
    ...make(port),
    cpuSeconds: () => cpuSeconds(pid),
    cpuTimes: () => cpuTimes(pid),
    rssBytes: () => rssBytes(pid),
    collectGarbage: () =>
      new Promise<ServerMemory>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${kind} did not report its memory`)), 30_000);
        memoryWaiters.push((memory) => {
          clearTimeout(timer);
          resolve(memory);
        });
        child.kill('SIGUSR2');
      }),
    output: () => tail.join('\n'),
    stop: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const jsonPort = (line: string): number | null => {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(line) as { port?: unknown; msg?: unknown };
    return typeof parsed.port === 'number' ? parsed.port : null;
  } catch {
    return null;
  }
};

export interface CaucusStartOptions {
  dataDir: string;
  env?: Record<string, string>;
}

/**
 * Where Caucus is run from: this checkout, or another one given with `--caucus-root=<dir>`
 * (before/after comparisons of a change, on the same fixture).
 */
let caucusRoot = ROOT;
export function setCaucusRoot(dir: string): void {
  caucusRoot = dir;
}
export const caucusRootDir = (): string => caucusRoot;

export function startCaucus({ dataDir, env = {} }: CaucusStartOptions): Promise<ServerHandle> {
  return spawnServer(
    'caucus',
    {
      args: [
        // e.g. CAUCUS_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof' to profile the server.
        ...(process.env.CAUCUS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
        '--conditions=caucus-source',
        '--import',
        'tsx',
        join(caucusRoot, 'packages/cli/src/bin.ts'),
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
      ],
      env: { CAUCUS_JWT_SECRET: BENCH_SECRET, ...CAUCUS_BENCH_ENV, ...env },
      ready: (line) => (line.includes('"caucus listening"') ? jsonPort(line) : null),
    },
    (port) => ({
      dialect: Y_WEBSOCKET,
      syncs: true,
      url: (doc, { token, acks } = {}) =>
        `ws://127.0.0.1:${port}/sync/${doc}?token=${encodeURIComponent(token ?? '')}${acks ? '&acks=1' : ''}`,
    }),
  );
}

export async function startReference(): Promise<ServerHandle> {
  const port = await freePort();
  return spawnServer(
    'reference',
    {
      args: [join(ROOT, 'node_modules/y-websocket-legacy/bin/server.js')],
      env: { HOST: '127.0.0.1', PORT: String(port) },
      ready: (line) => (line.startsWith('running at') ? port : null),
    },
    (p) => ({ dialect: Y_WEBSOCKET, syncs: true, url: (doc) => `ws://127.0.0.1:${p}/${doc}` }),
  );
}

export function startHocuspocus(): Promise<ServerHandle> {
  return spawnServer(
    'hocuspocus',
    { args: ['--import', 'tsx', join(ROOT, 'tests/bench/peers/hocuspocus.ts')], env: {}, ready: jsonPort },
    (port) => ({ dialect: HOCUSPOCUS, syncs: true, url: () => `ws://127.0.0.1:${port}/` }),
  );
}

export function startRelay(): Promise<ServerHandle> {
  return spawnServer(
    'relay',
    { args: ['--import', 'tsx', join(ROOT, 'tests/bench/peers/relay.ts')], env: {}, ready: jsonPort },
    (port) => ({ dialect: Y_WEBSOCKET, syncs: false, url: (doc) => `ws://127.0.0.1:${port}/${doc}` }),
  );
}
