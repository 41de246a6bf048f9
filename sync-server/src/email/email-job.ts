/**
 * Notifications by email: the `email` queue's jobs, one per notification and recipient, enqueued
 * by the notifier in the transaction that made the notification. The handler sends a plain-text
 * and HTML message with a signed one-click unsubscribe (`List-Unsubscribe` +
 * `List-Unsubscribe-Post`, RFC 8058); a refusing SMTP server makes it throw, so the runner
 * retries with backoff. The Message-ID is the job's, so a resend after a crash is recognisable.
 */
import { eq } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { tables, type NotificationId, type NotificationKind, type UserId } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import type { JobHandler } from '../jobs/job-runner.js';
import type { SqliteJobStore } from '../jobs/sqlite-job-store.js';
import { channelFor, type EmailQueue } from '../governance/notifier.js';
import { unsubscribeToken } from './unsubscribe-token.js';

export const EMAIL_QUEUE = 'email';

export interface EmailSettings {
  /** `smtp://user:pass@host:port` or `smtps://…` (nodemailer's URL form). */
  smtpUrl: string;
  from: string;
  /** Where the server is reached from outside: links and the unsubscribe URL start with it. */
  publicUrl: string;
  /** Signs the unsubscribe links. */
  secret: string;
}

/** The notifier's email seam: a job per notification, in the caller's transaction. */
export function emailQueue(jobs: Pick<SqliteJobStore, 'enqueueNow'>): EmailQueue {
  return {
    enqueue: (notificationId, userId) =>
      void jobs.enqueueNow({
        queue: EMAIL_QUEUE,
        key: `email:${notificationId}`,
        payload: { notificationId, userId },
      }),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function unsubscribeUrl(settings: EmailSettings, userId: UserId, kind: NotificationKind): string {
  const token = unsubscribeToken(settings.secret, userId, kind);
  return `${settings.publicUrl.replace(/\/+$/, '')}/api/unsubscribe?token=${encodeURIComponent(token)}`;
}

export function emailHandler(db: Db, settings: EmailSettings): JobHandler {
  // Timeouts well below the job lease (5 min): a hung SMTP server fails the attempt, to be
  // retried, instead of holding the job until its lease lapses.
  const transport = createTransport({
    url: settings.smtpUrl,
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
  });
  const base = settings.publicUrl.replace(/\/+$/, '');
  return async (job) => {
    const notificationId = job.payload.notificationId as NotificationId;
    const n = db.select().from(tables.notifications).where(eq(tables.notifications.id, notificationId)).get();
    const user = n && db.select().from(tables.users).where(eq(tables.users.id, n.userId)).get();
    if (!n || !user) return; // removed since: nothing to send
    const prefs = db.select().from(tables.prefs).where(eq(tables.prefs.userId, n.userId)).get();
    // Unsubscribed or muted since it was queued: not sent.
    if (prefs?.mutedKinds.includes(n.kind)) return;
    const channel = channelFor(prefs?.delivery ?? {}, n.kind, true);
    if (prefs?.delivery[n.kind] !== undefined && channel !== 'email' && channel !== 'both') return;
    const link = `${base}${n.link}`;
    const unsubscribe = unsubscribeUrl(settings, n.userId, n.kind);
    await transport.sendMail({
      from: settings.from,
      // An address object, never a string: a display name like `a <x@y>, b` adds no recipients.
      to: { name: user.name, address: user.email },
      subject: n.title,
      messageId: `<caucus-job-${job.id}@${new URL(base).hostname}>`,
      text: `${n.title}\n\n${n.body ? `${n.body}\n\n` : ''}${link}\n\n--\nStop these emails (${n.kind}): ${unsubscribe}\n`,
      html:
        `<p><strong>${escapeHtml(n.title)}</strong></p>` +
        (n.body ? `<p>${escapeHtml(n.body)}</p>` : '') +
        `<p><a href="${escapeHtml(link)}">Open in Caucus</a></p>` +
        `<hr><p style="font-size:small"><a href="${escapeHtml(unsubscribe)}">Stop these emails (${n.kind})</a></p>`,
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
  };
}
