/**
 * How `caucus` ends: one exit code per kind of outcome (the README lists them), and errors as
 * values with a code, printed as one line on stderr — never a stack trace.
 */

export const EXIT = {
  ok: 0,
  /** Bad arguments or options, or input that cannot be used (a missing file or data dir). */
  usage: 1,
  /** The server (or the policy) said no: a rejected intent, a refused change, 403/404/409. */
  refused: 2,
  /** The server could not be reached; the work is queued in the state dir (`caucus sync` sends it). */
  queued: 3,
  /** Not signed in, or the credentials were refused: `caucus login`, or another `--token`. */
  authRequired: 4,
  /** The server could not be reached (or failed) and there was nothing to queue. */
  unavailable: 5,
  /** Anything else: a bug, or the state dir could not be used. */
  internal: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override name = 'CliError';
  readonly code: string;
  readonly exit: ExitCode;

  constructor(code: string, message: string, exit: ExitCode) {
    super(message);
    this.code = code;
    this.exit = exit;
  }
}

/** The exit code for an API error code (the server's, or the client's own). */
export function exitFor(code: string, status: number | null): ExitCode {
  if (
    code === 'auth-required' ||
    code === 'unauthorized' ||
    code === 'token-expired' ||
    code === 'invalid-credentials'
  )
    return EXIT.authRequired;
  if (code === 'refresh-token-reused') return EXIT.authRequired;
  if (code === 'network' || code === 'lock-timeout') return EXIT.unavailable;
  if (code === 'invalid-body' || code === 'bad-request' || code === 'invalid-intent') return EXIT.usage;
  // `caucus serve` on a data dir another server holds: a data dir that cannot be used.
  if (code === 'data-dir-locked') return EXIT.usage;
  if (status !== null && status >= 500) return EXIT.unavailable;
  if (status !== null && status >= 400) return EXIT.refused;
  return EXIT.internal;
}

/** One line for any thrown value: `<code>: <message>`. */
export function describe(err: unknown): { line: string; exit: ExitCode } {
  if (err instanceof CliError) return { line: `${err.code}: ${err.message}`, exit: err.exit };
  const coded = err as { code?: unknown; message?: unknown; status?: unknown };
  if (err instanceof Error && typeof coded.code === 'string') {
    const status = typeof coded.status === 'number' ? coded.status : null;
    return { line: `${coded.code}: ${oneLine(err.message)}`, exit: exitFor(coded.code, status) };
  }
  return {
    // Code-less errors come from input the commands did not foresee (a missing file or data dir).
    line: `error: ${oneLine(err instanceof Error ? err.message : String(err))}`,
    exit: EXIT.usage,
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
