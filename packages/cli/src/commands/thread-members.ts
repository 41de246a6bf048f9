/**
 * `caucus threads members add | remove <threadId> <user…>` and `caucus dm <user…>`: who is in a
 * private thread, and the one direct conversation of a set of people. People are named by email
 * or user id (directory.ts). All are intents: queued offline, sent in order with the rest.
 */
import type { Command } from 'commander';
import {
  addThreadMember,
  conversationOf,
  openConversation,
  removeThreadMember,
  type Submitted,
} from '@caucus/client';
import type { Context } from '../context.js';
import { resolveMembers } from '../directory.js';
import { CliError, EXIT } from '../exit-codes.js';
import { deliverIntent } from '../intents.js';
import type { ContextOf } from '../program.js';
import { workspaceId, workspaceOption } from './workspaces.js';

/** The workspace a thread is in: `--workspace`, else asked from the server. */
async function threadWorkspace(ctx: Context, threadId: string, given: string | undefined): Promise<string> {
  if (given) return given;
  const detail = await (await ctx.api()).thread(threadId);
  if (detail.ok) return detail.value.workspaceId;
  if (detail.error.code === 'network')
    throw new CliError(
      'offline',
      'the server cannot be reached to find the thread’s workspace: pass --workspace',
      EXIT.unavailable,
    );
  throw new CliError(detail.error.code, `thread ${threadId}: ${detail.error.message}`, EXIT.refused);
}

function submit(make: () => Submitted): Submitted {
  try {
    return make();
  } catch (err) {
    throw new CliError('invalid-intent', err instanceof Error ? err.message : String(err), EXIT.usage);
  }
}

export function addThreadMemberCommands(threads: Command, contextOf: ContextOf): void {
  const members = threads.command('members').description('who is in a private thread');
  for (const [name, type, verb] of [
    ['add', 'thread.addMember', 'added'],
    ['remove', 'thread.removeMember', 'removed'],
  ] as const) {
    members
      .command(`${name} <threadId> <users...>`)
      .description(
        name === 'add'
          ? 'add members of the workspace (emails or user ids) to a private thread'
          : 'remove members from a private thread (the creator or an owner; yourself: leave)',
      )
      .option(...workspaceOption)
      .action(
        async (threadId: string, users: string[], options: { workspace?: string }, command: Command) => {
          const ctx = contextOf(command);
          const workspace = await threadWorkspace(ctx, threadId, options.workspace);
          const ids = await resolveMembers(ctx, workspace, users);
          const outbox = await ctx.outbox();
          let worst = 0;
          for (const userId of ids) {
            const submitted = submit(() =>
              name === 'add'
                ? addThreadMember(outbox, threadId, userId)
                : removeThreadMember(outbox, threadId, userId),
            );
            await submitted.queued;
            await deliverIntent(ctx, outbox, submitted, type, { done: () => `${verb} ${userId}` });
            worst = Math.max(worst, Number(process.exitCode ?? 0));
          }
          process.exitCode = worst;
        },
      );
  }
}

export function addConversationCommand(program: Command, contextOf: ContextOf): void {
  program
    .command('dm <users...>')
    .description(
      'the direct conversation with these people (emails or user ids): prints its thread id — the same every time, from any of them',
    )
    .option(...workspaceOption)
    .action(async (users: string[], options: { workspace?: string }, command: Command) => {
      const ctx = contextOf(command);
      const workspace = await workspaceId(ctx, options.workspace);
      const userIds = await resolveMembers(ctx, workspace, users);
      const outbox = await ctx.outbox();
      let opened;
      try {
        opened = await openConversation(outbox, { workspaceId: workspace, userIds });
      } catch (err) {
        throw new CliError('invalid-intent', err instanceof Error ? err.message : String(err), EXIT.usage);
      }
      await deliverIntent(ctx, outbox, opened, 'conversation.open', {
        done: (verdict) => conversationOf(verdict) ?? opened.threadId,
        queuedText: () => opened.threadId,
        extra: (verdict) => {
          const named = verdict ? conversationOf(verdict) : null;
          const existed = verdict?.status === 'accepted' ? verdict.result?.existed === true : null;
          return named
            ? { threadId: named, existed }
            : { threadId: opened.threadId, existed: null, known: opened.known };
        },
      });
      if (process.exitCode === EXIT.queued)
        ctx.out.note(
          opened.known === 'existing'
            ? `the conversation this state dir knows: ${opened.threadId}`
            : `a new conversation (${opened.threadId}) unless the server names an existing one; \`caucus sync\` prints it`,
        );
    });
}
