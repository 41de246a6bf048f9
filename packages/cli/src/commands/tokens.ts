/** `caucus token create | ls | revoke`: named API tokens for scripts (`--token`, `CAUCUS_TOKEN`). */
import { Command, InvalidArgumentError } from 'commander';
import type { ContextOf } from '../program.js';
import { table, when } from '../output.js';
import { must } from '../results.js';

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of days');
  return n;
}

export function addTokenCommands(program: Command, contextOf: ContextOf): void {
  const token = program.command('token').description('API tokens for headless scripts');
  token
    .command('create <name>')
    .description('make an API token (shown once); needs a signed-in session, not another token')
    .option('--days <n>', 'expire after this many days (default: never)', days)
    .action(async (name: string, options: { days?: number }, command: Command) => {
      const ctx = contextOf(command);
      const made = must(await (await ctx.api()).createToken(name, options.days));
      ctx.out.result(made, () => [made.token, `(${made.id}; shown once — keep it somewhere safe)`]);
    });
  token
    .command('ls')
    .description('your API tokens')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const { tokens } = must(await (await ctx.api()).listTokens());
      ctx.out.result(tokens, () =>
        table([
          ['ID', 'NAME', 'CREATED', 'LAST USED', 'EXPIRES'],
          ...tokens.map((t) => [t.id, t.name, when(t.createdAt), when(t.lastUsedAt), when(t.expiresAt)]),
        ]),
      );
    });
  token
    .command('revoke <id>')
    .description('revoke an API token; sync connections using it close')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      must(await (await ctx.api()).revokeToken(id));
      ctx.out.result({ revoked: id }, () => `revoked ${id}`);
    });
}
