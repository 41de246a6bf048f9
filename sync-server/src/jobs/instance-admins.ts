/**
 * Who administers the instance (sees and mends the job queue): the accounts whose addresses are
 * listed in `CAUCUS_ADMIN_EMAILS`, or, when none is listed, the first account made on it (the
 * person who set the server up signs up first). Workspace roles play no part.
 */
import { asc, eq } from 'drizzle-orm';
import { tables, type UserId } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { users } = tables;

export function isInstanceAdmin(db: Db, userId: UserId, adminEmails: readonly string[]): boolean {
  if (adminEmails.length > 0) {
    const row = db.select({ email: users.email }).from(users).where(eq(users.id, userId)).get();
    return row !== undefined && adminEmails.includes(row.email.toLowerCase());
  }
  const first = db
    .select({ id: users.id })
    .from(users)
    .orderBy(asc(users.createdAt), asc(users.id))
    .limit(1)
    .get();
  return first?.id === userId;
}
