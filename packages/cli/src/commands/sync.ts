/**
 * `caucus sync` sends what the state dir holds for the server (the outbox) and lists what was
 * refused; `caucus status` says what is waiting, without sending anything.
 */
import type { Command } from 'commander';
import type { OutboxState, RejectedIntent } from '@caucus/client';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { describeVerdict } from '../intents.js';
import { settle } from '../settle.js';
import type { ContextOf } from '../program.js';

/** How long `status` waits for the server's health check. */
const HEALTH_TIMEOUT_MS = 3_000;

function problemLines(problems: readonly RejectedIntent[]): string[] {
  return problems.map((p) => `refused ${p.intent.type} ${p.id} (${p.code}): ${p.reason} — ${p.remedy}`);
}

async function online(ctx: Context): Promise<boolean> {
  try {
    const res = await fetch(`${await ctx.url()}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return res.ok;
  } catch {
    return false;
  }
}

function summary(state: OutboxState) {
  return {
    queued: state.pending.map((p) => ({
      id: p.id,
      type: p.intent.type,
      attempts: p.attempts,
      prediction: p.prediction,
      lastError: p.lastError,
    })),
    needsAttention: state.needsAttention.map(({ id, intent, code, reason, remedy, at }) => ({
      id,
      type: intent.type,
      code,
      reason,
      remedy,
      at,
    })),
    unreadable: state.unreadable,
  };
}

/** Opens every document kept in the state dir, so its unsynced changes are sent, and waits for the acks. */
async function flushDocs(ctx: Context) {
  const client = await ctx.client();
  const names = await client.storage.docNames();
  const handles = names.map((name) => client.open(name));
  const before = process.exitCode;
  await settle(ctx, client, 'document changes');
  const offline = process.exitCode === EXIT.queued;
  process.exitCode = before;
  const status = client.status.current;
  for (const h of handles) h.release();
  return {
    documents: names.length,
    unsynced: status.unsynced,
    offline,
    refused: status.refused.map((r) => ({
      id: r.id,
      doc: r.doc,
      code: r.reason.code,
      message: r.reason.message,
    })),
  };
}

export function addSyncCommands(program: Command, contextOf: ContextOf): void {
  program
    .command('sync')
    .description('send everything queued in the state dir; exits 2 listing what was refused, 3 when offline')
    .option('--discard <ids...>', 'forget these refused (or queued) intents instead')
    .option('--retry <ids...>', 'send these refused intents again, as new intents')
    .action(async (options: { discard?: string[]; retry?: string[] }, command: Command) => {
      const ctx = contextOf(command);
      const outbox = await ctx.outbox();
      for (const id of options.discard ?? []) await outbox.discard(id);
      for (const id of options.retry ?? []) await outbox.retry(id as never);
      const report = await outbox.flush();
      const docs = report.error ? null : await flushDocs(ctx);
      const state = outbox.current;
      const result = {
        sent: report.verdicts.map((v) => ({ id: v.id, type: v.intent.type, verdict: v.verdict })),
        ...summary(state),
        error: report.error,
      };
      ctx.out.result(result, () => [
        ...report.verdicts.map((v) => describeVerdict(v.intent.type, v.verdict)),
        ...problemLines(state.needsAttention),
        ...(docs?.refused ?? []).map((r) => `refused change in ${r.doc} (${r.code}): ${r.message}`),
        ...(docs && docs.unsynced > 0 ? [`${docs.unsynced} document change(s) not yet acknowledged`] : []),
        ...(state.pending.length ? [`${state.pending.length} intent(s) still queued`] : []),
        ...(report.verdicts.length === 0 && state.pending.length === 0 && state.needsAttention.length === 0
          ? ['nothing to send']
          : []),
      ]);
      if (report.error) {
        ctx.out.note(`not sent (${report.error.code}): ${report.error.message}`);
        process.exitCode = report.error.code === 'auth-required' ? EXIT.authRequired : EXIT.queued;
      } else if (docs?.offline) process.exitCode = EXIT.queued;
      else if (state.needsAttention.length > 0 || (docs?.refused.length ?? 0) > 0)
        process.exitCode = EXIT.refused;
    });

  program
    .command('status')
    .description('the server’s reachability, queued intents, and what needs attention')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const [reachable, outbox, identity] = await Promise.all([
        online(ctx),
        ctx.outbox(),
        ctx.identity().catch(() => null),
      ]);
      const state = outbox.current;
      const result = {
        url: await ctx.url(),
        connection: reachable ? 'online' : 'offline',
        user: identity,
        stateDir: ctx.stateDir,
        ...summary(state),
      };
      ctx.out.result(result, () => [
        `${result.url}: ${result.connection}${identity ? `, signed in as ${identity.email}` : ''}`,
        `state dir: ${ctx.stateDir}`,
        `queued intents: ${state.pending.length}`,
        ...state.pending.map(
          (p) =>
            `  ${p.intent.type} ${p.id}  predicted: ${p.prediction.status}${p.lastError ? `  last error: ${p.lastError.code}` : ''}`,
        ),
        `needs attention: ${state.needsAttention.length}`,
        ...problemLines(state.needsAttention).map((l) => `  ${l}`),
        ...(state.unreadable.length
          ? [`unreadable (newer client's) records: ${state.unreadable.length}`]
          : []),
      ]);
    });
}
