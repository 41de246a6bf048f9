/**
 * `caucus threads ls | show | create | archive | restore` and `caucus search <q>`. Lists and search
 * read the server's read model; creating, archiving and restoring are intents (queued offline).
 */
import { Command, Option } from 'commander';
import { newId, type ThreadId } from '@caucus/schema';
import type { ThreadSummary } from '@caucus/client';
import { runIntent } from '../intents.js';
import type { ContextOf } from '../program.js';
import { table, when } from '../output.js';
import { must } from '../results.js';
import { workspaceId, workspaceOption } from './workspaces.js';

function rows(threads: readonly ThreadSummary[]): string[] {
  return table([
    ['ID', 'STATUS', 'ACTIVITY', 'MSGS', 'TITLE'],
    ...threads.map((t) => [t.id, t.status, when(t.activityAt), String(t.messageCount), t.title]),
  ]);
}

export function addThreadCommands(program: Command, contextOf: ContextOf): void {
  const threads = program.command('threads').description('threads: list, read, create, archive, restore');
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
        `${t.title}  [${t.status}]  ${t.id}`,
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
    .action(async (title: string, options: { workspace?: string; intent?: string }, command: Command) => {
      const ctx = contextOf(command);
      const threadId = newId<ThreadId>();
      const args = {
        threadId,
        workspaceId: await workspaceId(ctx, options.workspace),
        title,
        ...(options.intent ? { intent: options.intent } : {}),
      };
      await runIntent(ctx, 'thread.create', args, { done: () => threadId });
    });
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
