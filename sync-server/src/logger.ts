import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs, one JSON line per event. Credentials never reach a log line: the redaction
 * paths cover headers and any field named like a token or password.
 *
 * By default lines go to stdout synchronously. pino's default (asynchronous) stdout flushes at
 * exit with a loop that retries a write to a closed pipe forever, so a server whose log reader had
 * gone away (EPIPE) never finished exiting; a synchronous destination has no exit flush, and once
 * a write meets EPIPE it drops the lines nobody can read.
 */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true }),
): Logger {
  return pino(
    {
      level,
      base: { service: 'caucus' },
      redact: {
        paths: [
          'token',
          'accessToken',
          'refreshToken',
          'password',
          '*.token',
          '*.accessToken',
          '*.refreshToken',
          '*.password',
          'headers.authorization',
          'headers["sec-websocket-protocol"]',
          'headers.cookie',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
