import type { Outbox } from '@caucus/client';
import type { InboxNotification } from '@caucus/schema';

/** Unread, with queued mark-read intents already applied (the outbox's optimistic view). */
export function isUnread(n: InboxNotification, outbox: Outbox): boolean {
  const overlay = outbox.current.optimistic;
  return !n.readAt && !overlay.allRead && !overlay.read.has(n.id as never);
}
