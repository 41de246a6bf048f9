/** `caucus decide propose | approve | resolve | defer | reopen`: decisions are changed by intents. */
import { Command, InvalidArgumentError } from 'commander';
import { newId, type DecisionId } from '@caucus/schema';
import { runIntent } from '../intents.js';
import type { ContextOf } from '../program.js';

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function time(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError('expected a date, e.g. 2030-01-31 or 2030-01-31T12:00Z');
  return ms;
}

/** `--basis-version`: what you saw; a decision that changed since then is refused as stale. */
const basisOption = [
  '--basis-version <n>',
  'the decision version you saw (refused as stale if it moved)',
  count,
] as const;
const basis = (options: { basisVersion?: number }) =>
  options.basisVersion !== undefined ? { basis: { version: options.basisVersion } } : {};

export function addDecideCommands(program: Command, contextOf: ContextOf): void {
  const decide = program.command('decide').description('propose and decide decisions');
  decide
    .command('propose <threadId> <title>')
    .description('propose a decision in a thread; prints its id')
    .option('--option <label...>', 'an option the outcome must be one of (repeatable)')
    .option('--required-approvals <n>', 'distinct approvers needed before it resolves', count)
    .option('--due <date>', 'when it should be decided', time)
    .action(
      async (
        threadId: string,
        title: string,
        options: { option?: string[]; requiredApprovals?: number; due?: number },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const decisionId = newId<DecisionId>();
        const args = {
          decisionId,
          threadId,
          title,
          ...(options.option ? { options: options.option } : {}),
          ...(options.requiredApprovals !== undefined
            ? { requiredApprovals: options.requiredApprovals }
            : {}),
          ...(options.due !== undefined ? { dueAt: options.due } : {}),
        };
        await runIntent(ctx, 'decision.propose', args, { done: () => decisionId });
      },
    );
  decide
    .command('approve <decisionId>')
    .description('approve a decision (approvers)')
    .option(...basisOption)
    .action(async (decisionId: string, options: { basisVersion?: number }, command: Command) => {
      await runIntent(
        contextOf(command),
        'decision.approve',
        { decisionId },
        { ...basis(options), done: () => `approved ${decisionId}` },
      );
    });
  decide
    .command('resolve <decisionId> <outcome>')
    .description('resolve a decision with an outcome (an editor’s resolve waits for an approver)')
    .option(...basisOption)
    .action(
      async (decisionId: string, outcome: string, options: { basisVersion?: number }, command: Command) => {
        await runIntent(
          contextOf(command),
          'decision.resolve',
          { decisionId, outcome },
          {
            ...basis(options),
            done: () => `resolved ${decisionId}: ${outcome}`,
          },
        );
      },
    );
  decide
    .command('defer <decisionId>')
    .description('defer a decision')
    .option('--until <date>', 'until when', time)
    .option('--reason <text>', 'why')
    .option(...basisOption)
    .action(
      async (
        decisionId: string,
        options: { until?: number; reason?: string; basisVersion?: number },
        command: Command,
      ) => {
        const args = {
          decisionId,
          ...(options.until !== undefined ? { until: options.until } : {}),
          ...(options.reason ? { reason: options.reason } : {}),
        };
        await runIntent(contextOf(command), 'decision.defer', args, {
          ...basis(options),
          done: () => `deferred ${decisionId}`,
        });
      },
    );
  decide
    .command('reopen <decisionId>')
    .description('reopen a resolved or deferred decision')
    .option(...basisOption)
    .action(async (decisionId: string, options: { basisVersion?: number }, command: Command) => {
      await runIntent(
        contextOf(command),
        'decision.reopen',
        { decisionId },
        { ...basis(options), done: () => `reopened ${decisionId}` },
      );
    });
}
