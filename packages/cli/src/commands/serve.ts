import { Command, InvalidArgumentError } from 'commander';
import type { ServerConfig } from '@caucus/sync-server';

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

/** Runs the server until SIGTERM or SIGINT, then shuts down gracefully (commit, close with 1001). */
export async function serve(options: ServeOptions): Promise<void> {
  const { loadConfig, startServer } = await import('@caucus/sync-server');
  const overrides: Partial<ServerConfig> = {};
  if (options.port !== undefined) overrides.port = options.port;
  if (options.host !== undefined) overrides.host = options.host;
  if (options.dataDir !== undefined) overrides.dataDir = options.dataDir;
  const config = loadConfig(process.env, overrides);
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
