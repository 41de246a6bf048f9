/**
 * `caucus admin notice …` and `caucus admin notices`: system notices (planned maintenance, an
 * incident, a new version) for every user or one workspace, posted to the running server by an
 * instance admin. They go out as inbox notifications at `--at` and show as a banner in the PWA
 * until `--until` or until withdrawn.
 */
import { Option, type Command } from 'commander';
import type { NewNotice, Notice } from '@caucus/client';
import { CliError, EXIT } from '../exit-codes.js';
import { when } from '../output.js';
import type { ContextOf } from '../program.js';
import { must } from '../results.js';

type ClientOptions = ReadonlyArray<readonly [flags: string, description: string]>;

interface NoticeOptions {
  title?: string;
  body?: string;
  kind?: 'info' | 'warning' | 'error';
  workspace?: string;
  at?: string;
  until?: string;
  withdraw?: string;
}

/** An ISO 8601 time (`2030-01-01T22:00Z`, `2030-01-01T23:00+01:00`) in ms; a usage error otherwise. */
export function isoTime(flag: string, text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms))
    throw new CliError(
      'usage',
      `${flag} takes an ISO 8601 time, like 2030-01-01T22:00Z (got ${text})`,
      EXIT.usage,
    );
  return ms;
}

/** Where a notice stands at `now`. */
export function noticeState(n: Notice, now: number): string {
  if (n.withdrawnAt !== null) return 'withdrawn';
  if (n.endsAt !== null && n.endsAt <= now) return 'ended';
  if (n.startsAt > now) return 'scheduled';
  return 'current';
}

export function noticesReport(notices: readonly Notice[], now: number): string[] {
  if (notices.length === 0) return ['no notices'];
  const header = ['id', 'kind', 'state', 'starts', 'ends', 'delivered', 'to', 'title'];
  const rows = notices.map((n) => [
    n.id,
    n.kind,
    noticeState(n, now),
    when(n.startsAt),
    n.endsAt === null ? 'open' : when(n.endsAt),
    when(n.deliveredAt),
    n.workspaceId ?? 'everyone',
    n.title,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function postedLine(n: Notice): string {
  const to = n.workspaceId === null ? 'everyone' : `workspace ${n.workspaceId}`;
  const until = n.endsAt === null ? 'until withdrawn' : `until ${when(n.endsAt)}`;
  return `notice ${n.id} (${n.kind}) for ${to}: goes out ${when(n.startsAt)}, shown ${until}`;
}

/** What `--title`, `--body`… ask the server for; usage errors for what cannot be sent. */
export function newNotice(options: NoticeOptions): NewNotice {
  if (options.title === undefined || options.body === undefined)
    throw new CliError('usage', 'a notice needs --title and --body (or --withdraw ID)', EXIT.usage);
  const notice: NewNotice = { title: options.title, body: options.body };
  if (options.kind) notice.kind = options.kind;
  if (options.workspace) notice.workspaceId = options.workspace;
  if (options.at !== undefined) notice.startsAt = isoTime('--at', options.at);
  if (options.until !== undefined) notice.endsAt = isoTime('--until', options.until);
  return notice;
}

export function addAdminNotices(admin: Command, contextOf: ContextOf, clientOptions: ClientOptions): void {
  const notice = admin
    .command('notice')
    .description('post a system notice to every user or one workspace, or withdraw one (instance admins)')
    .option('--title <text>', 'the notice’s title (up to 200 characters)')
    .option('--body <text>', 'what it says (up to 2000 characters)')
    .addOption(
      new Option('--kind <kind>', 'how it is shown').choices(['info', 'warning', 'error']).default('info'),
    )
    .option('-w, --workspace <id>', 'only this workspace’s members (default: every user)')
    .option('--at <iso>', 'when it goes out and its banner shows (default: now)')
    .option('--until <iso>', 'when its banner goes (default: until withdrawn)')
    .option('--withdraw <id>', 'withdraw this notice instead: no banner, and not sent if not yet');
  for (const [flags, description] of clientOptions) notice.option(flags, description);
  notice.action(async (options: NoticeOptions, command: Command) => {
    const ctx = contextOf(command);
    if (options.withdraw !== undefined) {
      const other = (['title', 'body', 'workspace', 'at', 'until'] as const).filter(
        (k) => options[k] !== undefined,
      );
      if (other.length > 0)
        throw new CliError('usage', `--withdraw takes no --${other.join(', --')}`, EXIT.usage);
      const withdrawn = must(await (await ctx.api()).withdrawNotice(options.withdraw));
      ctx.out.result(withdrawn, () => `notice ${withdrawn.id} withdrawn`);
      return;
    }
    const posted = must(await (await ctx.api()).postNotice(newNotice(options)));
    ctx.out.result(posted, () => postedLine(posted));
  });

  const list = admin
    .command('notices')
    .description('the system notices, newest first, with their state (instance admins)');
  for (const [flags, description] of clientOptions) list.option(flags, description);
  list.action(async (_options: unknown, command: Command) => {
    const ctx = contextOf(command);
    const { notices } = must(await (await ctx.api()).notices());
    ctx.out.result(notices, () => noticesReport(notices, Date.now()));
  });
}
