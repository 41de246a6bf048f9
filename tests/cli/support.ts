/**
 * Runs `caucus` as a user would — a separate process on the TypeScript sources — with its own
 * state dir, and collects exit code, stdout and stderr.
 */
import { runTs, type Child, type Ran } from '../client/fixtures/spawn.js';

export const BIN = 'packages/cli/src/bin.ts';

/** One `caucus` process per call: the state dir and server come from the environment. */
export function caucus(
  env: { url: string; stateDir: string },
  args: string[],
  options: { stdin?: string } = {},
): Child {
  return runTs(BIN, args, {
    env: { CAUCUS_URL: env.url, CAUCUS_STATE_DIR: env.stateDir, CAUCUS_TOKEN: '', CAUCUS_WORKSPACE: '' },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
}

export function run(
  env: { url: string; stateDir: string },
  args: string[],
  options: { stdin?: string } = {},
): Promise<Ran> {
  return caucus(env, args, options).exited;
}

/**
 * One `caucus` process that needs no server or state dir: the commands on a data dir (`admin …`)
 * and the offline ones (`receipts verify`).
 */
export function runCaucus(args: string[]): Promise<Ran> {
  return runTs(BIN, args).exited;
}

/** The one line a failing command prints on stderr, checked to be one line. */
export function errorLine(ran: Ran): string {
  const lines = ran.stderr.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${JSON.stringify(ran.stderr)}`);
  return lines[0] ?? '';
}
