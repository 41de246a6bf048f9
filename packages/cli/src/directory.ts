/**
 * Naming people on the command line: by email (what users know) or by user id (what scripts
 * hold), resolved through the workspace's member list. The lists last seen, and the personal
 * workspace, are kept in the state dir (`directory.json`, mode 0600), so `caucus dm ada@…` still
 * works offline — the intent is queued with the ids they stand for.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Member } from '@caucus/client';
import type { UserId } from '@caucus/schema';
import type { Context } from './context.js';
import { CliError, EXIT } from './exit-codes.js';

interface Person {
  userId: string;
  email: string;
  name: string;
}

interface Directory {
  /** Per server origin. */
  [url: string]: { personal?: string; workspaces: { [workspaceId: string]: Person[] } };
}

const FILE = 'directory.json';

function load(ctx: Context): Directory {
  try {
    const parsed = JSON.parse(readFileSync(join(ctx.stateDir, FILE), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Directory) : {};
  } catch {
    return {};
  }
}

async function update(ctx: Context, change: (entry: Directory[string]) => void): Promise<void> {
  const url = await ctx.url();
  const all = load(ctx);
  const entry = (all[url] ??= { workspaces: {} });
  change(entry);
  mkdirSync(ctx.stateDir, { recursive: true, mode: 0o700 });
  const temp = join(ctx.stateDir, `${FILE}.${process.pid}.tmp`);
  writeFileSync(temp, JSON.stringify(all), { mode: 0o600 });
  renameSync(temp, join(ctx.stateDir, FILE));
}

async function cached(ctx: Context) {
  return load(ctx)[await ctx.url()] ?? { workspaces: {} };
}

/** Remembers the personal workspace (so intents can be queued offline without `--workspace`). */
export function rememberPersonal(ctx: Context, workspaceId: string): Promise<void> {
  return update(ctx, (entry) => (entry.personal = workspaceId)).catch(() => undefined);
}

/** The personal workspace last seen, when the server cannot be asked. */
export async function cachedPersonal(ctx: Context): Promise<string | null> {
  return (await cached(ctx)).personal ?? null;
}

/** Remembers a workspace's members as the server just listed them. */
export async function rememberMembers(
  ctx: Context,
  workspaceId: string,
  members: readonly Member[],
): Promise<Person[]> {
  const people = members.map(({ userId, email, name }) => ({ userId, email, name }));
  await update(ctx, (entry) => (entry.workspaces[workspaceId] = people)).catch(() => undefined);
  return people;
}

/** The members of a workspace: from the server (and remembered), else as last seen, else null. */
async function membersOf(ctx: Context, workspaceId: string): Promise<Person[] | null> {
  const answer = await (await ctx.api()).workspace(workspaceId);
  if (answer.ok) return rememberMembers(ctx, workspaceId, answer.value.members);
  const { code, status } = answer.error;
  if (code !== 'network' && (status === null || status < 500)) {
    throw new CliError(code, `${answer.error.message} (workspace ${workspaceId})`, EXIT.refused);
  }
  return (await cached(ctx)).workspaces[workspaceId] ?? null;
}

/**
 * `refs` (emails or user ids) as the user ids of members of `workspaceId`. An email must name a
 * member; an id that names none is refused too, except offline with no list to check it against
 * (the server then rules on it).
 */
export async function resolveMembers(
  ctx: Context,
  workspaceId: string,
  refs: readonly string[],
): Promise<UserId[]> {
  const wanted = refs
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  if (wanted.length === 0) return [];
  const people = await membersOf(ctx, workspaceId);
  return wanted.map((ref) => {
    const email = ref.includes('@');
    const found = people?.find((p) =>
      email ? p.email.toLowerCase() === ref.toLowerCase() : p.userId === ref,
    );
    if (found) return found.userId as UserId;
    if (people === null && !email) return ref as UserId;
    if (people === null)
      throw new CliError(
        'offline',
        `cannot look up ${ref} offline (no member list of workspace ${workspaceId} in the state dir): use their user id`,
        EXIT.unavailable,
      );
    throw new CliError(
      'not-a-member',
      `${ref} is not a member of workspace ${workspaceId} (see \`caucus members ls\`)`,
      EXIT.refused,
    );
  });
}
