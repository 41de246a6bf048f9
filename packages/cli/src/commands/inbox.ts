/** `caucus inbox [--unread] [--read ID…|--read-all]`: notifications; marking read is an intent. */
import type { Command } from 'commander';
import type { Notification } from '@caucus/client';
import { CliError, EXIT } from '../exit-codes.js';
import { runIntent } from '../intents.js';
import type { ContextOf } from '../program.js';
import { when } from '../output.js';
import { must } from '../results.js';
import { watchDocs } from './watch.js';

export function notificationLine(
  n: Pick<Notification, 'id' | 'kind' | 'title' | 'body' | 'at' | 'link'> & {
    readAt?: number | null | undefined;
  },
): string {
  const mark = n.readAt ? ' ' : '*';
  return `${mark} ${when(n.at)}  ${n.id}  [${n.kind}] ${n.title}${n.body ? ` — ${n.body}` : ''}  ${n.link}`;
}

export function addInboxCommand(program: Command, contextOf: ContextOf): void {
  program
    .command('inbox')
    .description('your notifications, newest first (* = unread)')
    .option('--unread', 'only unread ones')
    .option('--read <ids...>', 'mark these notifications read')
    .option('--read-all', 'mark every notification read')
    .option('--limit <n>', 'at most this many', (v) => Number(v))
    .option('--watch', 'then print each new notification as it arrives, until interrupted')
    .action(
      async (
        options: { unread?: boolean; read?: string[]; readAll?: boolean; limit?: number; watch?: boolean },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        if (options.read && options.readAll)
          throw new CliError('usage', 'give --read or --read-all, not both', EXIT.usage);
        if (options.read) {
          await runIntent(
            ctx,
            'inbox.markRead',
            { notificationIds: options.read },
            { done: () => `marked ${options.read?.length} read` },
          );
          return;
        }
        if (options.readAll) {
          await runIntent(ctx, 'inbox.markAllRead', {}, { done: () => 'marked all read' });
          return;
        }
        const { notifications } = must(
          await (
            await ctx.api()
          ).inbox({
            ...(options.unread ? { unread: true } : {}),
            ...(options.limit ? { limit: options.limit } : {}),
          }),
        );
        ctx.out.result(notifications, () => notifications.map(notificationLine));
        if (!options.watch) return;
        const me = await ctx.identity();
        if (!me) throw new CliError('auth-required', 'who you are is not known here', EXIT.authRequired);
        await watchDocs(ctx, [`inbox:${me.id}`], (change) => {
          if (
            change.part !== 'notifications' ||
            change.action !== 'added' ||
            typeof change.value !== 'object'
          )
            return;
          const n = change.value as Notification;
          ctx.out.result(n, () => notificationLine(n));
        });
      },
    );
}
