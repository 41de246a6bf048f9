import { eq } from 'drizzle-orm';
import { tables, type DecisionId, type ThreadId } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { decisions, threads } = tables;

/**
 * Whether a thread or a decision already has `id`, in any workspace. Both kinds are checked for
 * either create, so the refusal cannot tell which kind — or whose — the id is.
 */
export function idInUse(db: Db, id: string): boolean {
  const thread = db
    .select({ id: threads.id })
    .from(threads)
    .where(eq(threads.id, id as ThreadId))
    .get();
  if (thread) return true;
  const decision = db
    .select({ id: decisions.id })
    .from(decisions)
    .where(eq(decisions.id, id as DecisionId))
    .get();
  return decision !== undefined;
}
