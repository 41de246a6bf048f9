/**
 * Ending a command that changed documents: wait until the server acknowledged every change (all
 * saved), or — when it cannot be reached — say the changes are kept in the state dir and exit 3.
 */
import type { CaucusClient } from '@caucus/client';
import type { Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';

/** How long a command waits for the server to answer its first connection attempt. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long it then waits for its changes to be acknowledged. */
export const ACK_TIMEOUT_MS = 20_000;

/** Resolves `online` once connected, `offline` once an attempt failed (or the time is up). */
export function connected(
  client: CaucusClient,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<'online' | 'offline'> {
  return new Promise((resolve) => {
    let tried = false;
    const check = (): boolean => {
      const { connection, problem } = client.status.current;
      if (connection === 'online') return finish('online');
      if (problem) return finish('offline');
      if (connection === 'connecting') tried = true;
      else if (tried) return finish('offline');
      return false;
    };
    const timer = setTimeout(() => finish('offline'), timeoutMs);
    const off = client.status.subscribe(() => void check());
    function finish(outcome: 'online' | 'offline'): true {
      clearTimeout(timer);
      off();
      resolve(outcome);
      return true;
    }
    check();
  });
}

/** Waits for the acknowledgement of everything, or reports it kept offline (exit 3). */
export async function settle(ctx: Context, client: CaucusClient, what: string): Promise<void> {
  const { problem } = client.status.current;
  if (problem?.code === 'auth-required')
    throw new CliError('auth-required', problem.message, EXIT.authRequired);
  if ((await connected(client)) === 'online') {
    try {
      await client.flush({ timeoutMs: ACK_TIMEOUT_MS });
      const refused = client.status.current.refused;
      if (refused.length > 0) {
        for (const r of refused)
          ctx.out.note(`refused change in ${r.doc} (${r.reason.code}): ${r.reason.message}`);
        process.exitCode = EXIT.refused;
      }
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 'offline' && code !== 'timeout' && code !== 'network') throw err;
    }
  }
  const late = client.status.current.problem;
  if (late?.code === 'auth-required') throw new CliError('auth-required', late.message, EXIT.authRequired);
  ctx.out.note(`offline: ${what} kept in ${ctx.stateDir}; \`caucus sync\` sends it`);
  process.exitCode = EXIT.queued;
}
