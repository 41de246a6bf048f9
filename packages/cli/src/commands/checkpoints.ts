/**
 * `caucus checkpoints ls | approve | reject`: actions waiting for approvers. The list is what
 * reached you — checkpoint notifications in your inbox and the checkpoints your own intents wait
 * in — each read fresh from the server.
 */
import type { Command } from 'commander';
import type { Checkpoint } from '@caucus/client';
import type { Context } from '../context.js';
import { runIntent } from '../intents.js';
import type { ContextOf } from '../program.js';
import { table } from '../output.js';
import { must } from '../results.js';

const CHECKPOINT_LINK = /^\/checkpoints\/([A-Za-z0-9_-]{1,64})$/;

async function knownCheckpoints(ctx: Context): Promise<string[]> {
  const ids = new Set<string>();
  const inbox = must(await (await ctx.api()).inbox({ limit: 200 }));
  for (const n of inbox.notifications) {
    const id = CHECKPOINT_LINK.exec(n.link)?.[1];
    if (id) ids.add(id);
  }
  for (const s of (await ctx.outbox()).current.settled) {
    if (s.verdict.status === 'awaiting-approval') ids.add(s.verdict.checkpointId);
  }
  return [...ids];
}

export function addCheckpointCommands(program: Command, contextOf: ContextOf): void {
  const checkpoints = program.command('checkpoints').description('actions waiting for approval');
  checkpoints
    .command('ls')
    .description('pending checkpoints you were asked about or requested')
    .option('--all', 'also the ones already executed, failed or rejected')
    .action(async (options: { all?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      const api = await ctx.api();
      const found: Checkpoint[] = [];
      for (const id of await knownCheckpoints(ctx)) {
        const res = await api.checkpoint(id);
        // One that is gone or no longer visible (you left the workspace) is simply not listed.
        if (!res.ok && res.error.code === 'not-found') continue;
        const checkpoint = must(res);
        if (options.all || checkpoint.status === 'pending') found.push(checkpoint);
      }
      ctx.out.result(found, () =>
        table([
          ['ID', 'STATUS', 'ACTION', 'TARGET', 'APPROVALS'],
          ...found.map((c) => [
            c.id,
            c.status,
            c.action.type,
            `${c.target.kind}:${c.target.id}`,
            `${c.approvals.length}/${c.requiredApprovals}`,
          ]),
        ]),
      );
    });
  checkpoints
    .command('approve <checkpointId>')
    .description('approve; the action runs once enough distinct approvers approved')
    .action(async (checkpointId: string, _options: unknown, command: Command) => {
      await runIntent(
        contextOf(command),
        'checkpoint.approve',
        { checkpointId },
        {
          done: (v) => {
            const status = v.status === 'accepted' ? v.result?.status : undefined;
            return `approved ${checkpointId}${typeof status === 'string' ? ` (${status})` : ''}`;
          },
        },
      );
    });
  checkpoints
    .command('reject <checkpointId>')
    .description('reject (or, as its requester, withdraw) a checkpoint')
    .option('--reason <text>', 'why')
    .action(async (checkpointId: string, options: { reason?: string }, command: Command) => {
      const args = { checkpointId, ...(options.reason ? { reason: options.reason } : {}) };
      await runIntent(contextOf(command), 'checkpoint.reject', args, {
        done: () => `rejected ${checkpointId}`,
      });
    });
}
