/**
 * `caucus admin jobs [--retry ID | --discard ID | --watch [seconds]] [--json]`: the server's job
 * queue, for instance admins — counts per queue and state, the oldest due job's age, recent
 * failures — watched (`admin-jobs-watch.ts`), and mending a dead job. Unlike the other admin tasks it asks the running server (`--url`, `--token`), not a
 * data dir: the queue is worked by that process.
 */
import type { Command } from 'commander';
import type { AdminJobs, JobView } from '@caucus/client';
import { CliError, EXIT } from '../exit-codes.js';
import type { ContextOf } from '../program.js';
import { when } from '../output.js';
import { must } from '../results.js';
import { watchIntervalMs, watchJobs } from './admin-jobs-watch.js';

function age(ms: number): string {
  if (ms <= 0) return '-';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function failureLine(job: JobView): string {
  return `  #${job.id} ${job.queue} ${job.state} ${job.attempts}/${job.maxAttempts}  ${when(job.updatedAt)}  ${job.key ?? ''}  ${job.lastError ?? ''}`;
}

export function jobsReport(report: AdminJobs): string[] {
  const header = ['queue', 'waiting', 'due', 'running', 'done', 'dead', 'cancelled', 'oldest due'];
  const rows = report.queues.map((q) => [
    q.queue,
    ...[q.waiting, q.due, q.running, q.done, q.dead, q.cancelled].map(String),
    age(q.oldestDueAgeMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = report.queues.length === 0 ? ['no jobs'] : [line(header), ...rows.map(line)];
  if (report.recentFailures.length > 0)
    lines.push('recent failures:', ...report.recentFailures.map(failureLine));
  return lines;
}

export function addAdminJobs(
  admin: Command,
  contextOf: ContextOf,
  clientOptions: ReadonlyArray<readonly [flags: string, description: string]>,
): void {
  const jobs = admin
    .command('jobs')
    .description('the server’s job queue (instance admins): counts, oldest due, recent failures')
    .option('--retry <id>', 'run this dead job again', (v) => Number(v))
    .option('--discard <id>', 'give this dead job up', (v) => Number(v))
    .option('--watch [seconds]', 'show the report again every few seconds (default 2) until Ctrl-C');
  for (const [flags, description] of clientOptions) jobs.option(flags, description);
  type Options = { retry?: number; discard?: number; watch?: string | true };
  jobs.action(async (options: Options, command: Command) => {
    const ctx = contextOf(command);
    if (options.retry !== undefined && options.discard !== undefined)
      throw new CliError('usage', 'give --retry or --discard, not both', EXIT.usage);
    const mend = options.retry !== undefined ? 'retry' : options.discard !== undefined ? 'discard' : null;
    if (mend && options.watch !== undefined)
      throw new CliError('usage', `--watch shows the report; it does not go with --${mend}`, EXIT.usage);
    if (options.watch !== undefined) {
      const intervalMs = watchIntervalMs(options.watch);
      const api = await ctx.api();
      await watchJobs({
        poll: () => api.adminJobs(),
        render: jobsReport,
        out: ctx.out,
        write: (text) => process.stdout.write(text),
        redraw: !ctx.out.json && process.stdout.isTTY === true,
        intervalMs,
      });
      return;
    }
    if (mend) {
      const id = options.retry ?? options.discard ?? NaN;
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new CliError('usage', `--${mend} takes a job id (a positive integer)`, EXIT.usage);
      const job = must(await (await ctx.api()).mendJob(id, mend));
      ctx.out.result(job, () => `job #${job.id} is ${job.state}`);
      return;
    }
    const report = must(await (await ctx.api()).adminJobs());
    ctx.out.result(report, () => jobsReport(report));
  });
}
