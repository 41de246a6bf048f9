/**
 * The `uploads` table: every query the upload service makes, in one place. Synchronous (better-sqlite3),
 * so a check and the insert it guards run in one transaction with nothing interleaved.
 */
import { and, asc, count, eq, gt, lte, or, sql, sum } from 'drizzle-orm';
import {
  tables,
  type FileInfo,
  type ThreadId,
  type UploadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { uploads, threads, memberships } = tables;

export type UploadRow = typeof uploads.$inferSelect;
export type NewUploadRow = typeof uploads.$inferInsert;

/** Most files one list call returns, oldest first (the order they were attached). */
export const MAX_FILE_LIST = 200;

/** Where a finished file stands in its thread's list: when it finished, then its id. */
export interface FilePosition {
  completedAt: number;
  id: UploadId;
}

export class UploadRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get db(): Db {
    return this.#db;
  }

  get(id: UploadId): UploadRow | undefined {
    return this.#db.select().from(uploads).where(eq(uploads.id, id)).get();
  }

  insert(row: NewUploadRow): void {
    this.#db.insert(uploads).values(row).run();
  }

  delete(id: UploadId): void {
    this.#db.delete(uploads).where(eq(uploads.id, id)).run();
  }

  /** Marks an upload complete; false when the row is gone (deleted meanwhile). */
  complete(
    id: UploadId,
    fields: { type: string; size: number; sha256: string; completedAt: number },
  ): boolean {
    const result = this.#db
      .update(uploads)
      .set({ ...fields, status: 'complete' })
      .where(and(eq(uploads.id, id), eq(uploads.status, 'uploading')))
      .run();
    return result.changes === 1;
  }

  markAttached(id: UploadId, at: number): void {
    this.#db.update(uploads).set({ attachedAt: at }).where(eq(uploads.id, id)).run();
  }

  touch(id: UploadId, at: number): void {
    this.#db.update(uploads).set({ touchedAt: at }).where(eq(uploads.id, id)).run();
  }

  /**
   * Unfinished uploads of `userId` in progress: not expired, and created or written to since
   * `activeSince`. What the concurrency limit counts.
   */
  activeCount(userId: UserId, now: number, activeSince: number): number {
    const row = this.#db
      .select({ n: count() })
      .from(uploads)
      .where(
        and(
          eq(uploads.userId, userId),
          eq(uploads.status, 'uploading'),
          gt(uploads.expiresAt, now),
          gt(uploads.touchedAt, activeSince),
        ),
      )
      .get();
    return row?.n ?? 0;
  }

  /**
   * When the first of `userId`'s uploads in progress stops counting against the concurrency limit
   * by itself (it goes `windowMs` without a write, or expires); null when none is in progress.
   */
  nextInactiveAt(userId: UserId, now: number, windowMs: number): number | null {
    const row = this.#db
      .select({ at: sql<number | null>`min(min(${uploads.touchedAt} + ${windowMs}, ${uploads.expiresAt}))` })
      .from(uploads)
      .where(
        and(
          eq(uploads.userId, userId),
          eq(uploads.status, 'uploading'),
          gt(uploads.expiresAt, now),
          gt(uploads.touchedAt, now - windowMs),
        ),
      )
      .get();
    return row?.at ?? null;
  }

  /**
   * Bytes counted against the quota: finished files, plus what each live unfinished upload
   * reserves (its declared length, or `deferredReserve` while the length is deferred).
   */
  quotaUsed(userId: UserId, now: number, deferredReserve: number): number {
    const row = this.#db
      .select({
        bytes: sum(sql`case when ${uploads.status} = 'complete' then ${uploads.size}
          else coalesce(${uploads.size}, ${deferredReserve}) end`),
      })
      .from(uploads)
      .where(and(eq(uploads.userId, userId), or(eq(uploads.status, 'complete'), gt(uploads.expiresAt, now))))
      .get();
    return Number(row?.bytes ?? 0);
  }

  listComplete(threadId: ThreadId, options: { limit?: number; after?: FilePosition } = {}): FileInfo[] {
    const { after } = options;
    return this.#db
      .select()
      .from(uploads)
      .where(
        and(
          eq(uploads.threadId, threadId),
          eq(uploads.status, 'complete'),
          after
            ? or(
                gt(uploads.completedAt, after.completedAt),
                and(eq(uploads.completedAt, after.completedAt), gt(uploads.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(uploads.completedAt), asc(uploads.id))
      .limit(options.limit ?? MAX_FILE_LIST)
      .all()
      .flatMap((row) => {
        const info = toFileInfo(row);
        return info ? [info] : [];
      });
  }

  /** The user's finished files grouped by type. */
  statsByType(userId: UserId): Array<{ type: string; count: number; bytes: number }> {
    return this.#db
      .select({ type: uploads.type, count: count(), bytes: sum(uploads.size) })
      .from(uploads)
      .where(and(eq(uploads.userId, userId), eq(uploads.status, 'complete')))
      .groupBy(uploads.type)
      .all()
      .map((r) => ({ type: r.type ?? 'unknown', count: r.count, bytes: Number(r.bytes ?? 0) }));
  }

  /** Unfinished uploads whose expiry has passed. */
  expired(now: number): UploadRow[] {
    return this.#db
      .select()
      .from(uploads)
      .where(and(eq(uploads.status, 'uploading'), lte(uploads.expiresAt, now)))
      .all();
  }

  /** Uploads a crash may have left half-done: unfinished, or finished but not yet attached. */
  unsettled(): UploadRow[] {
    return this.#db
      .select()
      .from(uploads)
      .where(or(eq(uploads.status, 'uploading'), sql`${uploads.attachedAt} is null`))
      .all();
  }

  allIds(): Set<string> {
    return new Set(
      this.#db
        .select({ id: uploads.id })
        .from(uploads)
        .all()
        .map((r) => r.id),
    );
  }

  /** The workspace of a thread and `userId`'s role in it (null when not a member). */
  threadWorkspace(
    threadId: ThreadId,
    userId: UserId,
  ): { workspaceId: WorkspaceId; role: string | null } | undefined {
    return this.#db
      .select({ workspaceId: threads.workspaceId, role: memberships.role })
      .from(threads)
      .leftJoin(
        memberships,
        and(eq(memberships.workspaceId, threads.workspaceId), eq(memberships.userId, userId)),
      )
      .where(eq(threads.id, threadId))
      .get();
  }
}

/** The API view of a finished upload; null for a row that is not finished. */
export function toFileInfo(row: UploadRow): FileInfo | null {
  if (row.status !== 'complete' || row.type === null || row.size === null || row.sha256 === null) return null;
  return {
    id: row.id,
    threadId: row.threadId,
    name: row.name,
    size: row.size,
    type: row.type,
    sha256: row.sha256,
    uploadedBy: row.userId,
    createdAt: row.createdAt,
    completedAt: row.completedAt ?? row.createdAt,
  };
}
