/**
 * How `caucus serve` ends: SIGTERM or SIGINT start a graceful shutdown (commit what is queued,
 * close sockets with 1001, close the database) and exit 0 when it is done; exit 1 if it failed,
 * or if it has not finished within the shutdown timeout (a stuck client or disk must not keep a
 * stopped server alive, nor make the supervisor wait for its kill -9).
 */
import type { Logger } from '@caucus/sync-server';

export interface ShutdownOptions {
  /** The graceful shutdown (the server's `close`). */
  close: () => Promise<void>;
  logger: Pick<Logger, 'info' | 'error'>;
  timeoutMs: number;
  /** Ends the process; `process.exit` outside tests. */
  exit: (code: number) => void;
  /** Where the signals come from; `process` outside tests. */
  signals?: Pick<NodeJS.Process, 'on'>;
}

/** Installs the SIGTERM/SIGINT handlers; returns the shutdown itself (what a signal runs). */
export function handleShutdownSignals(options: ShutdownOptions): (signal: NodeJS.Signals) => void {
  const { close, logger, timeoutMs, exit, signals = process } = options;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => {
      logger.error({ signal, timeoutMs }, 'shutdown timed out; exiting anyway');
      exit(1);
    }, timeoutMs);
    logger.info({ signal, timeoutMs }, 'shutting down');
    close().then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  signals.on('SIGTERM', stop);
  signals.on('SIGINT', stop);
  return stop;
}

/**
 * A log reader that went away (a closed pipe) must not take the server down or stop its shutdown:
 * EPIPE on stdout or stderr is ignored (the logger then drops its lines); other errors still throw.
 */
export function ignoreClosedOutput(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams)
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
}
