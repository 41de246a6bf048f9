import type { UploadId, UserId } from './ids.js';

/**
 * Root types of a `thread:<id>` document. Clients write `meta`, `body` and `messages`;
 * `attachments` is written by the server only.
 */
export const THREAD_ROOTS = {
  meta: 'meta',
  body: 'body',
  messages: 'messages',
  attachments: 'attachments',
} as const;
export type ThreadRoot = (typeof THREAD_ROOTS)[keyof typeof THREAD_ROOTS];

/** Roots a client may write in a thread document. */
export const CLIENT_THREAD_ROOTS: ReadonlySet<string> = new Set([
  THREAD_ROOTS.meta,
  THREAD_ROOTS.body,
  THREAD_ROOTS.messages,
]);

/** `meta` Y.Map fields. */
export interface ThreadMeta {
  title: string;
  intent?: string;
}

/** One entry of the `messages` Y.Array, stored as a Y.Map with these plain fields. */
export interface ThreadMessage {
  id: string;
  author: UserId;
  text: string;
  /** Milliseconds since the epoch. */
  at: number;
  editedAt?: number;
}

/** One value of the `attachments` Y.Map, keyed by upload id. */
export interface ThreadAttachment {
  id: UploadId;
  name: string;
  size: number;
  type: string;
  sha256: string;
}

export const NOTIFICATION_KINDS = ['info', 'success', 'warning', 'error', 'checkpoint'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** One entry of an `inbox:<userId>` document's `notifications` Y.Array. */
export interface InboxNotification {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string;
  at: number;
  readAt?: number;
}

/** The actor recorded for updates the server writes itself (and the user its clientIDs are bound to). */
export const SERVER_ACTOR = 'server';
