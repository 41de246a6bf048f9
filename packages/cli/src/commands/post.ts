/**
 * `caucus post <threadId> <text>` and `caucus edit <threadId>` (appends stdin to the notes): edits
 * of the thread document through the sync client, kept in the state dir first, so an offline edit
 * is not lost — it is sent by the next `caucus sync` (or any command that connects).
 */
import type { Command } from 'commander';
import type { CaucusClient } from '@caucus/client';
import { CliError, EXIT } from '../exit-codes.js';
import type { ContextOf } from '../program.js';
import { connected, settle } from '../settle.js';
import type { Context } from '../context.js';

/** Longest wait for a document's first sync before writing to the local copy anyway. */
const SYNC_WAIT_MS = 10_000;

async function threadFor(ctx: Context, threadId: string) {
  const client = await ctx.client();
  const thread = client.thread(threadId);
  await thread.whenLoaded;
  // Online, catch up first so an append lands after what others wrote.
  if ((await connected(client)) === 'online') {
    await Promise.race([
      thread.whenSynced,
      new Promise((resolve) => setTimeout(resolve, SYNC_WAIT_MS).unref()),
    ]);
  }
  const denied = thread.status.current.denied;
  if (denied)
    throw new CliError(
      'forbidden',
      `${threadId}: ${denied.reason || `refused (${denied.code})`}`,
      EXIT.refused,
    );
  return { client, thread };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('usage', 'pipe the text to append on stdin', EXIT.usage);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function written(ctx: Context, client: CaucusClient, result: object, line: string): Promise<void> {
  await settle(ctx, client, 'the change');
  const saved = process.exitCode !== EXIT.queued;
  ctx.out.result({ ...result, saved }, () => (saved ? line : `${line} (kept offline)`));
}

export function addPostCommands(program: Command, contextOf: ContextOf): void {
  program
    .command('post <threadId> <text>')
    .description('post a message to a thread')
    .action(async (threadId: string, text: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const { client, thread } = await threadFor(ctx, threadId);
      const messageId = await thread.post(text);
      await written(ctx, client, { threadId, messageId }, `posted ${messageId}`);
    });
  program
    .command('edit <threadId>')
    .description("append stdin to a thread's notes (the collaborative body)")
    .action(async (threadId: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const text = await readStdin();
      const { client, thread } = await threadFor(ctx, threadId);
      await thread.appendBody(text);
      await written(ctx, client, { threadId, appended: text.length }, `appended ${text.length} characters`);
    });
}
