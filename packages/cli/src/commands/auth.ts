/** `caucus signup | login | logout | whoami`: the session kept in the state dir (tokens, mode 0600). */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { logIn, signUp } from '@caucus/client';
import { CliError, EXIT } from '../exit-codes.js';
import type { ContextOf } from '../program.js';
import { must } from '../results.js';

/**
 * The password: `--password-stdin` reads the first line of stdin (scripts), `CAUCUS_PASSWORD`
 * (CI), else a prompt on a terminal. Never an argument: arguments show up in `ps` and history.
 */
async function password(options: { passwordStdin?: boolean }): Promise<string> {
  if (options.passwordStdin || !process.stdin.isTTY) {
    if (!options.passwordStdin && process.env.CAUCUS_PASSWORD) return process.env.CAUCUS_PASSWORD;
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    throw new CliError('no-password', 'no password on stdin', EXIT.usage);
  }
  if (process.env.CAUCUS_PASSWORD) return process.env.CAUCUS_PASSWORD;
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Echo nothing while the password is typed.
  const write = (prompt as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
  (prompt as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s) => {
    if (s.startsWith('password')) write.call(prompt, s);
  };
  try {
    return await prompt.question('password: ');
  } finally {
    process.stderr.write('\n');
    prompt.close();
  }
}

export function addAuthCommands(program: Command, contextOf: ContextOf): void {
  program
    .command('signup')
    .description('create an account (and its personal workspace) and sign in')
    .requiredOption('--email <email>', 'your email')
    .requiredOption('--name <name>', 'your name as others see it')
    .option(
      '--password-stdin',
      'read the password from the first line of stdin (else CAUCUS_PASSWORD, else a prompt)',
    )
    .action(async (options: { email: string; name: string; passwordStdin?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      const input = { email: options.email, name: options.name, password: await password(options) };
      const session = must(await signUp(input, { url: await ctx.url(), store: ctx.sessions }));
      ctx.out.result(
        { user: session.user, url: session.url },
        () => `signed up and signed in as ${session.user.email} at ${session.url}`,
      );
    });

  program
    .command('login')
    .description('sign in; the session is kept in the state dir and refreshed as needed')
    .requiredOption('--email <email>', 'your email')
    .option(
      '--password-stdin',
      'read the password from the first line of stdin (else CAUCUS_PASSWORD, else a prompt)',
    )
    .action(async (options: { email: string; passwordStdin?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      const input = { email: options.email, password: await password(options) };
      const session = must(await logIn(input, { url: await ctx.url(), store: ctx.sessions }));
      ctx.out.result(
        { user: session.user, url: session.url },
        () => `signed in as ${session.user.email} at ${session.url}`,
      );
    });

  program
    .command('logout')
    .description('end the session on the server and forget its tokens here')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const auth = await ctx.auth().catch(() => null);
      if (!auth || !('logout' in auth)) {
        ctx.out.result({ signedOut: false }, () => 'not signed in');
        return;
      }
      const res = await (auth as { logout(): Promise<{ ok: boolean; error?: { code: string } }> }).logout();
      ctx.out.result({ signedOut: true, revokedOnServer: res.ok }, () =>
        res.ok
          ? 'signed out'
          : `signed out here; the server could not be told (${res.error?.code ?? 'error'})`,
      );
    });

  program
    .command('whoami')
    .description('who the credentials belong to, and how they are held')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const api = await ctx.api();
      const res = await api.me();
      if (!res.ok && res.error.code === 'network') {
        // Offline: what the state dir knows is still an answer.
        const known = await ctx.identity().catch(() => null);
        if (!known) must(res);
        ctx.out.result(
          { user: known, url: await ctx.url(), via: 'session', online: false },
          () => `${known?.email} (${known?.name}) at ${api.http.url} — offline`,
        );
        return;
      }
      const me = must(res);
      ctx.out.result(
        { ...me, url: api.http.url, online: true },
        () => `${me.user.email} (${me.user.name}, ${me.user.id}) at ${api.http.url} via ${me.via}`,
      );
    });
}
