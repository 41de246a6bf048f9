/**
 * Uploads (DESIGN §7): one row per tus upload, from creation to deletion. The bytes live in the
 * server's upload store; this row is what makes them a file of a thread.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { ThreadId, UploadId, UserId } from '../ids.js';

export const UPLOAD_STATUSES = ['uploading', 'complete'] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

export const uploads = sqliteTable(
  'uploads',
  {
    id: text('id').$type<UploadId>().primaryKey(),
    userId: text('user_id').$type<UserId>().notNull(),
    threadId: text('thread_id').$type<ThreadId>().notNull(),
    /** The file name the client gave (sanitized: no path, no control characters). */
    name: text('name').notNull(),
    /** The type the client declared in `filetype`, normalized; null when none or generic. */
    declaredType: text('declared_type'),
    /** The type verified from the bytes when the upload finished. */
    type: text('type'),
    /** Declared length while uploading (null while deferred), the real size once complete. */
    size: integer('size'),
    sha256: text('sha256'),
    status: text('status').$type<UploadStatus>().notNull(),
    createdAt: integer('created_at').notNull(),
    /** Creation or the latest PATCH: an unfinished upload counts as in progress for a while after it. */
    touchedAt: integer('touched_at').notNull(),
    /** An unfinished upload is removed after this time. */
    expiresAt: integer('expires_at').notNull(),
    completedAt: integer('completed_at'),
    /** When the file was written into the thread document's `attachments`. */
    attachedAt: integer('attached_at'),
  },
  (t) => [index('uploads_user').on(t.userId, t.status), index('uploads_thread').on(t.threadId, t.status)],
);
