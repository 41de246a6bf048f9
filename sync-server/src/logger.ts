import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs, one JSON line per event. Credentials never reach a log line: the redaction
 * paths cover headers and any field named like a token or password.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
