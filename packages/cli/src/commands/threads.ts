/**
 * `caucus threads ls | show | create | archive | restore` and `caucus search <q>`. Lists and search
 * read the server's read model (private threads for their members only, marked); creating,
 * archiving and restoring are intents (queued offline). `threads members` is in thread-members.ts.
 */
import { Command, Option } from 'commander';
import { newId, type ThreadId } from '@caucus/schema';
import type { ThreadSummary } from '@caucus/client';
import { resolveMembers } from '../directory.js';
import { CliError, EXIT } from '../exit-codes.js';
import { runIntent } from '../intents.js';
import type { ContextOf } from '../program.js';
import { table, when } from '../output.js';
import { must } from '../results.js';
import { addThreadMemberCommands } from './thread-members.js';
import { workspaceId, workspaceOption } from './workspaces.js';

/** Who sees a thread: `workspace`, `private` (its members), or `dm` (a direct conversation). */
function seenBy(t: ThreadSummary): string {
  if (t.conversation === true) return 'dm';
  return t.visibility === 'private' ? 'private' : 'workspace';
}

function rows(threads: readonly ThreadSummary[]): string[] {
  return table([
    ['ID', 'STATUS', 'SEEN BY', 'ACTIVITY', 'MSGS', 'TITLE'],
    ...threads.map((t) => [t.id, t.status, seenBy(t), when(t.activityAt), String(t.messageCount), t.title]),
  ]);
}

export function addThreadCommands(program: Command, contextOf: ContextOf): void {
  const threads = program
    .command('threads')
    .description('threads: list, read, create (workspace-wide or private), archive, restore, members');
  threads
    .command('ls')
    .description('threads you can read, newest activity first')
    .option('-w, --workspace <id>', 'only this workspace (default: all of yours)')
    .addOption(
      new Option('--status <status>', 'only active or archived threads').choices(['active', 'archived']),
    )
    .option('--limit <n>', 'at most this many', (v) => Number(v))
    .action(
      async (
        options: { workspace?: string; status?: 'active' | 'archived'; limit?: number },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const page = must(
          await (
            await ctx.api()
          ).threads({
            ...(options.workspace ? { workspaceId: options.workspace } : {}),
            ...(options.status ? { status: options.status } : {}),
            ...(options.limit ? { limit: options.limit } : {}),
          }),
        );
        ctx.out.result(page.threads, () => rows(page.threads));
      },
    );
  threads
    .command('show <threadId>')
    .description('a thread: title, intent, notes, messages, attachments')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const t = must(await (await ctx.api()).thread(id));
      ctx.out.result(t, () => [
        `${t.title}  [${t.status}${t.conversation ? ', direct conversation' : t.visibility === 'private' ? ', private' : ''}]  ${t.id}`,
        ...(t.intent ? [`intent: ${t.intent}`] : []),
        ...(t.body ? ['', t.body] : []),
        '',
        ...t.messages.map((m) => `${when(m.at)}  ${m.author ?? '?'}: ${m.text}`),
        ...t.attachments.map((a) => `attachment ${a.id}  ${a.name}  ${a.size} B  ${a.type}`),
      ]);
    });
  threads
    .command('create <title>')
    .description('create a thread (an intent: queued when offline, its id is yours at once)')
    .option(...workspaceOption)
    .option('--intent <text>', 'what the thread is for')
    .option('--private', 'seen by its members only (you and --member)')
    .option(
      '--member <users...>',
      'members of a private thread: emails or user ids of workspace members (put the title first)',
    )
    .action(
      async (
        title: string,
        options: { workspace?: string; intent?: string; private?: boolean; member?: string[] },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        if (options.member && !options.private)
          throw new CliError('usage', '--member is for private threads: add --private', EXIT.usage);
        const threadId = newId<ThreadId>();
        const workspace = await workspaceId(ctx, options.workspace);
        const args = {
          threadId,
          workspaceId: workspace,
          title,
          ...(options.intent ? { intent: options.intent } : {}),
          ...(options.private
            ? {
                visibility: 'private' as const,
                memberIds: await resolveMembers(ctx, workspace, options.member ?? []),
              }
            : {}),
        };
        await runIntent(ctx, 'thread.create', args, { done: () => threadId });
      },
    );
  addThreadMemberCommands(threads, contextOf);
  for (const [name, type] of [
    ['archive', 'thread.archive'],
    ['restore', 'thread.restore'],
  ] as const) {
    threads
      .command(`${name} <threadId>`)
      .description(`${name} a thread (approvers at once; an editor's request waits for an approver)`)
      .action(async (threadId: string, _options: unknown, command: Command) => {
        const ctx = contextOf(command);
        await runIntent(ctx, type, { threadId }, { done: () => `${name}d ${threadId}` });
      });
  }

  program
    .command('search <query>')
    .description('full-text search over titles, intents, notes and messages')
    .option('-w, --workspace <id>', 'only this workspace (default: all of yours)')
    .action(async (q: string, options: { workspace?: string }, command: Command) => {
      const ctx = contextOf(command);
      const page = must(
        await (
          await ctx.api()
        ).threads({ q, ...(options.workspace ? { workspaceId: options.workspace } : {}) }),
      );
      ctx.out.result(page.threads, () =>
        page.threads.map(
          (t) =>
            `${t.id}  ${t.title}${t.match ? `  — ${t.match.field}: ${t.match.snippet.replace(/<\/?mark>/g, '*')}` : ''}`,
        ),
      );
    });
}
