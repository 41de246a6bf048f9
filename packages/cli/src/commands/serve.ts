import { loadConfig, startServer, type ServerConfig } from '@caucus/sync-server';

export interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
}

/** Runs the server until SIGTERM or SIGINT, then shuts down gracefully (commit, close with 1001). */
export async function serve(options: ServeOptions): Promise<void> {
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
