/**
 * Notifications: rows in SQLite, published into `inbox:<userId>` documents. Writes join the
 * caller's transaction and record the inboxes to publish in its {@link Changes}.
 */
import { and, desc, eq, getTableColumns, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import {
  DEFAULT_DELIVERY,
  newId,
  tables,
  type DeliveryChannel,
  type DeliveryPrefs,
  type InboxNotification,
  type NotificationId,
  type NotificationKind,
  type ThreadId,
  type UserId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { whoSeesThread } from '../workspaces/thread-members.js';
import type { Changes } from './changes.js';

const { notifications, prefs } = tables;

/** Longest notification title and body; longer ones (a decision's long title) are cut with "…". */
export const MAX_NOTIFICATION_TITLE_CHARS = 300;
export const MAX_NOTIFICATION_BODY_CHARS = 2_000;
/** Most notifications one inbox listing returns, newest first. */
export const MAX_INBOX_LIST = 200;

/** Where a notification stands in an inbox listing: its time, then its insertion order. */
export interface InboxPosition {
  at: number;
  seq: number;
}

export interface InboxListOptions {
  unread?: boolean;
  /** At most this many (default {@link MAX_INBOX_LIST}). */
  limit?: number;
  /** Only notifications listed after this one. */
  after?: InboxPosition;
}

/** A notification to deliver; what other modules pass to `GovernanceService.notify`. */
export interface NewNotification {
  kind: NotificationKind;
  title: string;
  body?: string;
  /** An app path: `/threads/<id>`, `/decisions/<id>`, `/checkpoints/<id>`, `/workspaces/<id>`. */
  link?: string;
  /** Delivered at most once per user and key (e.g. `upload:<uploadId>`), so retries do not repeat it. */
  dedupeKey?: string;
  /**
   * The thread it tells about: delivered only to those who may see that thread now, so nothing of a
   * private thread reaches anyone outside it (a mention of a non-member, a removed follower).
   */
  about?: ThreadId;
  /** Delivered even to users who muted its kind: it is the only way they would see it (an invitation). */
  evenIfMuted?: boolean;
  /** Emailed unless the user chose otherwise for its kind (a mention, though of kind `info`). */
  emailByDefault?: boolean;
}

/** What `prefs.set` changes: the muted kinds, and whichever of the rest it gives. */
export interface PrefsUpdate {
  mutedKinds: NotificationKind[];
  delivery?: DeliveryPrefs | undefined;
  digestHour?: number | null | undefined;
  timeZone?: string | undefined;
}

/** Where notifications go by email: a job per delivered notification, in the caller's transaction. */
export interface EmailQueue {
  enqueue(notificationId: NotificationId, userId: UserId): void;
}

/** The channel a user gets `kind` on: their choice, else the default (email for `emailByDefault`). */
export function channelFor(
  delivery: DeliveryPrefs,
  kind: NotificationKind,
  emailByDefault = false,
): DeliveryChannel {
  return delivery[kind] ?? (emailByDefault ? 'both' : DEFAULT_DELIVERY[kind]);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function toInboxNotification(row: typeof notifications.$inferSelect): InboxNotification {
  const n: InboxNotification = {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    link: row.link,
    at: row.at,
  };
  if (row.readAt !== null) n.readAt = row.readAt;
  return n;
}

export class Notifier {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Without one (no SMTP) nothing is queued for email. */
    private readonly email: EmailQueue | null = null,
  ) {}

  /** Delivers `n` to each recipient that has not muted its kind (and sees `n.about`); returns who got it. */
  deliver(userIds: Iterable<UserId>, n: NewNotification, changes: Changes): UserId[] {
    const recipients =
      n.about === undefined ? [...new Set(userIds)] : whoSeesThread(this.db, n.about, userIds);
    if (recipients.length === 0) return [];
    const stored = new Map(
      this.db
        .select({ userId: prefs.userId, mutedKinds: prefs.mutedKinds, delivery: prefs.delivery })
        .from(prefs)
        .where(inArray(prefs.userId, recipients))
        .all()
        .map((p) => [p.userId, p]),
    );
    const at = this.now();
    const delivered: UserId[] = [];
    for (const userId of recipients) {
      const p = stored.get(userId);
      const chosen =
        n.evenIfMuted === true
          ? 'in-app'
          : p?.mutedKinds.includes(n.kind)
            ? 'none'
            : channelFor(p?.delivery ?? {}, n.kind, n.emailByDefault);
      // Without an email queue (SMTP off) an email-only kind would be stored read and never
      // sent, i.e. lost: it goes to the inbox instead.
      const channel = chosen === 'email' && !this.email ? 'in-app' : chosen;
      if (channel === 'none') continue;
      const id = newId<NotificationId>(at);
      const inserted = this.db
        .insert(notifications)
        .values({
          id,
          userId,
          kind: n.kind,
          title: cut(n.title, MAX_NOTIFICATION_TITLE_CHARS),
          body: cut(n.body ?? '', MAX_NOTIFICATION_BODY_CHARS),
          link: n.link ?? '/',
          at,
          dedupeKey: n.dedupeKey ?? null,
          // Email only: kept (so that a retry is recognised) but no to-do in the inbox.
          readAt: channel === 'email' ? at : null,
        })
        .onConflictDoNothing()
        .run();
      if (inserted.changes === 0) continue;
      delivered.push(userId);
      changes.inboxes.add(userId);
      if (channel !== 'in-app') this.email?.enqueue(id, userId);
    }
    return delivered;
  }

  /** Marks the user's own notifications read; returns how many changed. */
  markRead(userId: UserId, ids: readonly NotificationId[], changes: Changes): number {
    const { changes: n } = this.db
      .update(notifications)
      .set({ readAt: this.now() })
      .where(
        and(
          eq(notifications.userId, userId),
          inArray(notifications.id, [...ids]),
          isNull(notifications.readAt),
        ),
      )
      .run();
    if (n > 0) changes.inboxes.add(userId);
    return n;
  }

  markAllRead(userId: UserId, changes: Changes): number {
    const { changes: n } = this.db
      .update(notifications)
      .set({ readAt: this.now() })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .run();
    if (n > 0) changes.inboxes.add(userId);
    return n;
  }

  /** Marks everyone's notifications with `dedupeKey` read (a checkpoint that no longer needs anyone). */
  markReadByKey(dedupeKey: string, changes: Changes): void {
    const rows = this.db
      .update(notifications)
      .set({ readAt: this.now() })
      .where(and(eq(notifications.dedupeKey, dedupeKey), isNull(notifications.readAt)))
      .returning({ userId: notifications.userId })
      .all();
    for (const row of rows) changes.inboxes.add(row.userId);
  }

  /**
   * Replaces the muted kinds, and the delivery channels, digest hour and time zone when given
   * (each kept as it was, or its default for a new row, when absent).
   */
  setPrefs(userId: UserId, set: PrefsUpdate, changes: Changes): void {
    const updatedAt = this.now();
    const { mutedKinds } = set;
    const given = {
      ...(set.delivery ? { delivery: set.delivery } : {}),
      ...(set.digestHour !== undefined ? { digestHour: set.digestHour } : {}),
      ...(set.timeZone !== undefined ? { timeZone: set.timeZone } : {}),
    };
    this.db
      .insert(prefs)
      .values({ userId, mutedKinds, delivery: {}, ...given, updatedAt })
      .onConflictDoUpdate({ target: prefs.userId, set: { mutedKinds, ...given, updatedAt } })
      .run();
    changes.inboxes.add(userId);
  }

  /** The user's delivery channels as set (unset kinds follow the defaults). */
  delivery(userId: UserId): DeliveryPrefs {
    return (
      this.db.select({ delivery: prefs.delivery }).from(prefs).where(eq(prefs.userId, userId)).get()
        ?.delivery ?? {}
    );
  }

  /** Sets one kind's channel, the rest kept (one-click unsubscribe). */
  setChannel(userId: UserId, kind: NotificationKind, channel: DeliveryChannel, changes: Changes): void {
    const delivery = { ...this.delivery(userId), [kind]: channel };
    const updatedAt = this.now();
    this.db
      .insert(prefs)
      .values({ userId, mutedKinds: [], delivery, updatedAt })
      .onConflictDoUpdate({ target: prefs.userId, set: { delivery, updatedAt } })
      .run();
    changes.inboxes.add(userId);
  }

  mutedKinds(userId: UserId): NotificationKind[] {
    return (
      this.db.select({ mutedKinds: prefs.mutedKinds }).from(prefs).where(eq(prefs.userId, userId)).get()
        ?.mutedKinds ?? []
    );
  }

  /** The user's notifications, newest first. */
  list(userId: UserId, options: InboxListOptions = {}): InboxNotification[] {
    return this.listWithPositions(userId, options).map((n) => n.notification);
  }

  /**
   * {@link list} with each notification's place in the order (time, then insertion), which is
   * what `after` takes: a page starts after the last notification of the previous one.
   */
  listWithPositions(
    userId: UserId,
    options: InboxListOptions = {},
  ): Array<{ notification: InboxNotification; position: InboxPosition }> {
    const { after } = options;
    const filter = and(
      eq(notifications.userId, userId),
      options.unread ? isNull(notifications.readAt) : undefined,
      after
        ? or(
            lt(notifications.at, after.at),
            and(eq(notifications.at, after.at), lt(sql`${notifications}.rowid`, after.seq)),
          )
        : undefined,
    );
    return this.db
      .select({ ...getTableColumns(notifications), seq: sql<number>`${notifications}.rowid` })
      .from(notifications)
      .where(filter)
      .orderBy(desc(notifications.at), desc(sql`${notifications}.rowid`))
      .limit(options.limit ?? MAX_INBOX_LIST)
      .all()
      .map(({ seq, ...row }) => ({ notification: toInboxNotification(row), position: { at: row.at, seq } }));
  }
}
