/** `caucus workspaces`, and the workspace a command acts in (`--workspace`, else the personal one). */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { cachedPersonal, rememberPersonal } from '../directory.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { ContextOf } from '../program.js';
import { table } from '../output.js';
import { must } from '../results.js';

export const workspaceOption = [
  '-w, --workspace <id>',
  'the workspace (env CAUCUS_WORKSPACE; default: your personal one)',
] as const;

/**
 * `--workspace`, `CAUCUS_WORKSPACE`, else the caller's personal workspace (as last seen, when the
 * server cannot be reached: an intent can then still be queued).
 */
export async function workspaceId(ctx: Context, given: string | undefined): Promise<string> {
  const id = given ?? (process.env.CAUCUS_WORKSPACE || undefined);
  if (id) return id;
  const answer = await (await ctx.api()).workspaces();
  if (!answer.ok && answer.error.code === 'network') {
    const cached = await cachedPersonal(ctx);
    if (cached) return cached;
  }
  const { workspaces } = must(answer);
  const personal = workspaces.find((w) => w.personal) ?? workspaces[0];
  if (!personal) throw new CliError('not-found', 'you are in no workspace', EXIT.refused);
  await rememberPersonal(ctx, personal.id);
  return personal.id;
}

export function addWorkspaceCommands(program: Command, contextOf: ContextOf): void {
  program
    .command('workspaces')
    .description('the workspaces you are a member of, with your role')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const { workspaces } = must(await (await ctx.api()).workspaces());
      ctx.out.result(workspaces, () =>
        table([
          ['ID', 'ROLE', 'NAME'],
          ...workspaces.map((w) => [w.id, w.role, w.personal ? `${w.name} (personal)` : w.name]),
        ]),
      );
    });
}
