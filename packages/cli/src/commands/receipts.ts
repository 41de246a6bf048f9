/**
 * `caucus receipts ls | export`: the signed verdict receipts kept with the intents in the state
 * dir; an export is a receipt set (`{ keys, receipts }`) that `caucus receipts verify` checks
 * offline.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { fetchReceiptKeys } from '@caucus/client/receipts';
import type { ReceiptKey } from '@caucus/schema';
import type { Context } from '../context.js';
import type { ContextOf } from '../program.js';
import { receiptsVerifyCommand } from './receipts-verify.js';
import { table, when } from '../output.js';

interface KeptReceipt {
  intentId: string;
  type: string;
  status: string;
  at: number;
  receipt: unknown;
}

async function keptReceipts(ctx: Context): Promise<KeptReceipt[]> {
  const state = (await ctx.outbox()).current;
  const ruled = [
    ...state.settled.map((s) => ({ id: s.id, type: s.intent.type, verdict: s.verdict, at: s.settledAt })),
    ...state.needsAttention.map((p) => ({ id: p.id, type: p.intent.type, verdict: p.verdict, at: p.at })),
  ].sort((a, b) => a.at - b.at);
  const kept: KeptReceipt[] = [];
  for (const r of ruled) {
    if (r.verdict?.receipt === undefined) continue;
    kept.push({
      intentId: r.id,
      type: r.type,
      status: r.verdict.status,
      at: r.at,
      receipt: r.verdict.receipt,
    });
  }
  return kept;
}

export function addReceiptCommands(program: Command, contextOf: ContextOf): Command {
  const receipts = program.command('receipts').description('signed receipts of the verdicts on your intents');
  receipts
    .command('ls')
    .description('the receipts kept in the state dir')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const kept = await keptReceipts(ctx);
      ctx.out.result(kept, () =>
        table([
          ['INTENT', 'TYPE', 'VERDICT', 'AT'],
          ...kept.map((r) => [r.intentId, r.type, r.status, when(r.at)]),
        ]),
      );
    });
  receipts
    .command('export [file]')
    .description('write the receipts as a set `caucus receipts verify` checks (stdout without a file)')
    .action(async (file: string | undefined, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const kept = await keptReceipts(ctx);
      let keys: ReceiptKey[] = [];
      try {
        keys = await fetchReceiptKeys(await ctx.url());
      } catch {
        ctx.out.note(
          'the server’s keys could not be fetched: the set carries none (verify it with --keys or --url)',
        );
      }
      const set = { keys, receipts: kept.map((r) => r.receipt) };
      if (file) {
        await writeFile(file, `${JSON.stringify(set, null, 2)}\n`);
        ctx.out.result({ file, receipts: kept.length }, () => `wrote ${kept.length} receipt(s) to ${file}`);
      } else process.stdout.write(`${JSON.stringify(set)}\n`);
    });
  receipts.addCommand(receiptsVerifyCommand());
  return receipts;
}
