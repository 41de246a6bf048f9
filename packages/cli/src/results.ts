/** From the client's values to the CLI's outcomes: API failures as {@link CliError}s with exit codes. */
import type { ApiResult } from '@caucus/client';
import { CliError, exitFor } from './exit-codes.js';

/** The value, or the failure as a CliError with the exit code its code calls for. */
export function must<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  const { code, message, status } = result.error;
  const hint = code === 'network' ? ' (is `caucus serve` running? see --url)' : '';
  throw new CliError(code, `${message}${hint}`, exitFor(code, status));
}
