import { Command, InvalidArgumentError } from 'commander';
import type { ServerConfig } from '@caucus/sync-server';
import { handleShutdownSignals, ignoreClosedOutput } from '../shutdown.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the server: API, sync, uploads and the web app in one process')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 8787)', port)
    .option('-H, --host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'where the database and files live (env CAUCUS_DATA_DIR, default ./data)')
    .action(serve);
}

/**
 * Runs the server until SIGTERM or SIGINT, then shuts down gracefully (commit, close with 1001),
 * exiting anyway after `CAUCUS_SHUTDOWN_TIMEOUT_MS`.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const { createLogger, loadConfig, startServer } = await import('@caucus/sync-server');
  const overrides: Partial<ServerConfig> = {};
  if (options.port !== undefined) overrides.port = options.port;
  if (options.host !== undefined) overrides.host = options.host;
  if (options.dataDir !== undefined) overrides.dataDir = options.dataDir;
  const config = loadConfig(process.env, overrides);
  ignoreClosedOutput();
  const logger = createLogger(config.logLevel);
  // The handlers go in before the server starts: a SIGTERM that arrives while it starts (or just
  // after it said it listens) must stop it, not kill it by the signal's default action mid-write.
  const starting = startServer(config, { logger });
  handleShutdownSignals({
    close: async () => (await starting).close(),
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    exit: (code) => process.exit(code),
  });
  await starting;
}
