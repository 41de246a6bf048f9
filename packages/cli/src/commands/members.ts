/** `caucus members ls | invite | role | remove`: membership changes are intents (owners only). */
import { Command, InvalidArgumentError } from 'commander';
import { isRole, type Role } from '@caucus/schema';
import { rememberMembers } from '../directory.js';
import { runIntent } from '../intents.js';
import type { ContextOf } from '../program.js';
import { table } from '../output.js';
import { must } from '../results.js';
import { workspaceId, workspaceOption } from './workspaces.js';

function role(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError('expected viewer, editor, approver or owner');
  return value;
}

export function addMemberCommands(program: Command, contextOf: ContextOf): void {
  const members = program.command('members').description('members of a workspace and their roles');
  members
    .command('ls')
    .description('the members with their roles')
    .option(...workspaceOption)
    .action(async (options: { workspace?: string }, command: Command) => {
      const ctx = contextOf(command);
      const id = await workspaceId(ctx, options.workspace);
      const detail = must(await (await ctx.api()).workspace(id));
      await rememberMembers(ctx, id, detail.members);
      ctx.out.result(detail.members, () =>
        table([
          ['USER', 'ROLE', 'NAME', 'EMAIL'],
          ...detail.members.map((m) => [m.userId, m.role, m.name, m.email]),
        ]),
      );
    });
  members
    .command('invite <email> <role>')
    .description('add someone (an unknown email becomes an invitation signup accepts)')
    .option(...workspaceOption)
    .action(async (email: string, given: string, options: { workspace?: string }, command: Command) => {
      const ctx = contextOf(command);
      const args = { workspaceId: await workspaceId(ctx, options.workspace), email, role: role(given) };
      await runIntent(ctx, 'member.invite', args, { done: () => `invited ${email} as ${args.role}` });
    });
  members
    .command('role <userId> <role>')
    .description("change a member's role")
    .option(...workspaceOption)
    .action(async (userId: string, given: string, options: { workspace?: string }, command: Command) => {
      const ctx = contextOf(command);
      const args = { workspaceId: await workspaceId(ctx, options.workspace), userId, role: role(given) };
      await runIntent(ctx, 'member.setRole', args, { done: () => `${userId} is now ${args.role}` });
    });
  members
    .command('remove <userId>')
    .description('remove a member (or yourself: leave)')
    .option(...workspaceOption)
    .action(async (userId: string, options: { workspace?: string }, command: Command) => {
      const ctx = contextOf(command);
      const args = { workspaceId: await workspaceId(ctx, options.workspace), userId };
      await runIntent(ctx, 'member.remove', args, { done: () => `removed ${userId}` });
    });
}
