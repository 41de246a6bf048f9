/**
 * Runs the real Caucus server as a child process (`caucus serve --port 0`), for tests that must
 * kill it (SIGKILL) and start it again on the same data dir.
 *
 * Every child this module starts is also killed with SIGKILL when the test process exits, so a
 * failing or interrupted test never leaves a server behind; tests should still call `kill()` or
 * `dispose()` in afterEach/afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (where `--import tsx` resolves and the CLI lives). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/src/bin.ts');

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export interface ProcessServerOptions {
  /** Reused across restarts; a fresh temporary dir when omitted (removed by `dispose`). */
  dataDir?: string;
  /** Extra environment (e.g. `CAUCUS_MESSAGES_PER_SECOND`); `CAUCUS_JWT_SECRET` is set unless given. */
  env?: Record<string, string>;
  /** How long to wait for the listening line. */
  startTimeoutMs?: number;
  /** A fixed port, kept across restarts (clients that remember the URL find it again); 0 by default. */
  port?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One log line the server printed (pino JSON), or `{ msg: <raw line> }` when it was not JSON. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export class ProcessServer {
  readonly dataDir: string;
  /** Every stdout line of every run, parsed. */
  readonly logs: LogLine[] = [];
  private stderrText = '';
  private child: ChildProcess | null = null;
  private exited: Promise<ExitStatus> | null = null;
  private currentPort = 0;
  private readonly ownsDataDir: boolean;
  private readonly env: Record<string, string>;
  private readonly startTimeoutMs: number;
  private readonly fixedPort: number;

  private constructor(options: ProcessServerOptions) {
    this.ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'caucus-proc-'));
    this.env = {
      CAUCUS_JWT_SECRET: 'process-test-secret-'.padEnd(48, 'x'),
      CAUCUS_LOG_LEVEL: 'info',
      ...options.env,
    };
    // Generous: a loaded CI machine has been seen to take over 20 s to start a server under tsx.
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.fixedPort = options.port ?? 0;
  }

  /** Starts a server and resolves once it is listening. */
  static async start(options: ProcessServerOptions = {}): Promise<ProcessServer> {
    const server = new ProcessServer(options);
    try {
      await server.spawn();
    } catch (err) {
      await server.dispose();
      throw err;
    }
    return server;
  }

  get port(): number {
    return this.currentPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.currentPort}`;
  }

  /** Base of sync URLs: `${wsUrl}/thread:<id>?token=…`. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.currentPort}/sync`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Everything the server wrote on stderr, over every run. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Log lines at level error (50) or above. */
  get errorLogs(): LogLine[] {
    return this.logs.filter((l) => typeof l.level === 'number' && l.level >= 50);
  }

  /** Sends `signal` and resolves once the process has exited. Resolves at once when none runs. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitStatus> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return Promise.resolve({ code: null, signal: null });
    child.kill(signal);
    return exited;
  }

  /**
   * Plays a log reader that went away: closes this end of the running server's stdout and stderr
   * pipes, so its writes meet EPIPE from now on (its later lines are lost; a restart pipes again).
   */
  closeOutput(): void {
    this.child?.stdout?.destroy();
    this.child?.stderr?.destroy();
  }

  /** Starts the server again on the same data dir (killing a running one with SIGTERM first). */
  async restart(): Promise<void> {
    if (this.child) await this.kill('SIGTERM');
    await this.spawn();
  }

  /** Kills a running server with SIGKILL and removes the data dir when this helper made it. */
  async dispose(): Promise<void> {
    if (this.child) await this.kill('SIGKILL');
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private spawn(): Promise<void> {
    installExitHook();
    const child = spawn(
      process.execPath,
      [
        '--conditions=caucus-source',
        '--import',
        'tsx',
        BIN,
        'serve',
        '--port',
        String(this.fixedPort),
        '--data-dir',
        this.dataDir,
      ],
      { cwd: ROOT, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    live.add(child);
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (this.child === child) {
          this.child = null;
          this.exited = null;
        }
        resolve({ code, signal });
      });
    });
    const exited = this.exited;

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`caucus serve ${why}\n--- stderr ---\n${this.stderrText}`));
      };
      const timer = setTimeout(
        () => fail(`did not report listening within ${this.startTimeoutMs} ms`),
        this.startTimeoutMs,
      );
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        this.stderrText += chunk;
      });
      let pending = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (!line) continue;
          let parsed: LogLine;
          try {
            parsed = JSON.parse(line) as LogLine;
          } catch {
            parsed = { msg: line };
          }
          this.logs.push(parsed);
          if (!settled && parsed.msg === 'caucus listening' && typeof parsed.port === 'number') {
            settled = true;
            clearTimeout(timer);
            this.currentPort = parsed.port;
            resolve();
          }
        }
      });
      void exited.then(({ code, signal }) =>
        fail(`exited before listening (code ${code}, signal ${signal})`),
      );
    });
  }
}
