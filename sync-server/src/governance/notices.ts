/**
 * System notices (issue 13): an instance admin tells every user, or one workspace's members, about
 * planned maintenance, an incident or a new version. Posting one stores it and enqueues, in the same
 * transaction, the job that delivers it as an inbox notification at `startsAt`; while it is current
 * (`startsAt` ≤ now < `endsAt`, not withdrawn) it is also what the PWA's banner shows.
 *
 * The delivery's notifications carry the job key `notice:<id>` as their dedupe key, so a job that
 * runs twice notifies each recipient once. Withdrawing cancels the job: an undelivered notice never
 * goes out, and a withdrawn one is no longer current.
 */
import { and, desc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { newId, tables, type UserId, type WorkspaceId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { JobHandler } from '../jobs/job-runner.js';
import type { Db } from '../storage/db.js';
import type { Changes } from './changes.js';
import type { EffectContext } from './effect-context.js';
import { membersOf } from './reads.js';

const { notices, users, memberships, workspaces } = tables;
/** Insertion order, for notices made in the same millisecond. */
const seq = sql`${notices}.rowid`;

/** The queue notice deliveries run on. */
export const NOTICE_QUEUE = 'notice';
/** Longest title and body of a notice. */
export const MAX_NOTICE_TITLE_CHARS = 200;
export const MAX_NOTICE_BODY_CHARS = 2_000;
/** Recipients handed to the notifier at once (SQLite binds at most 32766 parameters per statement). */
export const DELIVERY_SLICE = 500;
/** Most notices `GET /api/admin/notices` lists, newest first. */
export const MAX_NOTICE_LIST = 200;

export type Notice = typeof notices.$inferSelect;
export type NoticeKind = tables.NoticeKind;

/** What a notice's reader sees (the banner): no bookkeeping. */
export type CurrentNotice = Pick<
  Notice,
  'id' | 'kind' | 'title' | 'body' | 'workspaceId' | 'startsAt' | 'endsAt'
>;

export interface NoticeInput {
  kind: NoticeKind;
  title: string;
  body: string;
  /** Null or absent: every user. */
  workspaceId?: WorkspaceId | null | undefined;
  /** When it goes out and becomes current; now when absent. */
  startsAt?: number | undefined;
  /** When it stops being current; null or absent: until withdrawn. */
  endsAt?: number | null | undefined;
}

/** The job key of a notice's delivery (also its notifications' dedupe key). */
export const noticeJobKey = (id: string) => `notice:${id}`;

function loadNotice(db: Db, id: string): Notice | undefined {
  return db.select().from(notices).where(eq(notices.id, id)).get();
}

/** Stores a notice and schedules its delivery at `startsAt`; throws for a missing workspace or bad times. */
export function postNotice(ctx: EffectContext, createdBy: UserId, input: NoticeInput): Notice {
  const now = ctx.now();
  const startsAt = input.startsAt ?? now;
  const endsAt = input.endsAt ?? null;
  if (endsAt !== null && endsAt <= startsAt)
    throw new ApiError('invalid-body', 'endsAt: must be after startsAt');
  if (endsAt !== null && endsAt <= now) throw new ApiError('invalid-body', 'endsAt: already passed');
  const workspaceId = input.workspaceId ?? null;
  if (
    workspaceId !== null &&
    !ctx.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId)).get()
  )
    throw new ApiError('not-found', 'workspace not found');
  const notice: Notice = {
    id: newId(now),
    kind: input.kind,
    title: input.title,
    body: input.body,
    workspaceId,
    startsAt,
    endsAt,
    createdBy,
    createdAt: now,
    deliveredAt: null,
    withdrawnAt: null,
  };
  ctx.db.insert(notices).values(notice).run();
  ctx.jobs.enqueueNow(
    { queue: NOTICE_QUEUE, key: noticeJobKey(notice.id), runAt: startsAt, payload: { noticeId: notice.id } },
    ctx.db,
  );
  return notice;
}

/** Withdraws a notice (its delivery cancelled if still to come); null when there is none. */
export function withdrawNotice(ctx: EffectContext, id: string): Notice | null {
  const notice = loadNotice(ctx.db, id);
  if (!notice) return null;
  if (notice.withdrawnAt !== null) return notice;
  const withdrawnAt = ctx.now();
  ctx.db.update(notices).set({ withdrawnAt }).where(eq(notices.id, id)).run();
  ctx.jobs.cancelNow(noticeJobKey(id), ctx.db);
  return { ...notice, withdrawnAt };
}

/** Every notice, newest first (at most {@link MAX_NOTICE_LIST}). */
export function listNotices(db: Db): Notice[] {
  return db.select().from(notices).orderBy(desc(notices.createdAt), desc(seq)).limit(MAX_NOTICE_LIST).all();
}

/** The notices current at `now` for `userId`: everyone's and those of the workspaces they are in. */
export function currentNotices(db: Db, userId: UserId, now: number): CurrentNotice[] {
  const theirs = db
    .select({ id: memberships.workspaceId })
    .from(memberships)
    .where(eq(memberships.userId, userId));
  return db
    .select({
      id: notices.id,
      kind: notices.kind,
      title: notices.title,
      body: notices.body,
      workspaceId: notices.workspaceId,
      startsAt: notices.startsAt,
      endsAt: notices.endsAt,
    })
    .from(notices)
    .where(
      and(
        isNull(notices.withdrawnAt),
        lte(notices.startsAt, now),
        or(isNull(notices.endsAt), gt(notices.endsAt, now)),
        or(isNull(notices.workspaceId), inArray(notices.workspaceId, theirs)),
      ),
    )
    .orderBy(desc(notices.startsAt), desc(seq))
    .all();
}

/**
 * Delivers a notice to its recipients' inboxes, unless it was withdrawn (or ended before it could
 * go out: the server was down all along); marks it delivered. Returns who got it now.
 */
export function deliverNotice(ctx: EffectContext, id: string, changes: Changes): UserId[] {
  const notice = loadNotice(ctx.db, id);
  if (!notice || notice.withdrawnAt !== null) return [];
  const now = ctx.now();
  if (notice.endsAt !== null && notice.endsAt <= now) return [];
  const recipients =
    notice.workspaceId === null
      ? ctx.db
          .select({ id: users.id })
          .from(users)
          .all()
          .map((u) => u.id)
      : membersOf(ctx.db, notice.workspaceId);
  const delivered: UserId[] = [];
  // In slices: the notifier looks recipients' preferences up with one bound parameter each.
  for (let i = 0; i < recipients.length; i += DELIVERY_SLICE) {
    const slice = recipients.slice(i, i + DELIVERY_SLICE);
    delivered.push(
      ...ctx.notifier.deliver(
        slice,
        {
          // Notice kinds are notification kinds of the same name.
          kind: notice.kind,
          title: notice.title,
          body: notice.body,
          link: notice.workspaceId === null ? '/' : `/workspaces/${notice.workspaceId}`,
          dedupeKey: noticeJobKey(id),
        },
        changes,
      ),
    );
  }
  ctx.db
    .update(notices)
    .set({ deliveredAt: now })
    .where(and(eq(notices.id, id), isNull(notices.deliveredAt)))
    .run();
  return delivered;
}

/** The `notice` queue's handler, on governance's `apply` (one transaction, then published). */
export function noticeHandler(governance: {
  apply<T>(effect: (ctx: EffectContext, changes: Changes) => T): Promise<T>;
}): JobHandler {
  return async (job) => {
    await governance.apply((ctx, changes) => deliverNotice(ctx, String(job.payload.noticeId), changes));
  };
}
