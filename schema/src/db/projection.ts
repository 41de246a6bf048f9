/**
 * The read model (DESIGN §6): thread documents projected into rows for queries and full-text
 * search. Derived, never authoritative: `caucus admin rebuild-projection` makes it again from the
 * update log, and existence, workspace and status stay in `threads`. The FTS5 indexes over these
 * tables are not here: drizzle-kit cannot express virtual tables, so the server creates them at
 * start (`ensureSearchIndex` in sync-server).
 */
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ThreadId, UploadId, UserId } from '../ids.js';

/**
 * One row per projected thread: its `meta` and `body`, and figures over its messages and
 * attachments. `stamp` is the state the rows were made from (re-projecting the same state writes
 * nothing), `seq` the last update-log seq that state includes (a restart re-projects threads
 * whose log went further).
 */
export const projectedThreads = sqliteTable('projected_threads', {
  /** Rowid alias: the row's key in the `thread_fts` index. Not stable across rebuilds. */
  key: integer('key').primaryKey(),
  threadId: text('thread_id').$type<ThreadId>().notNull().unique(),
  /** `meta.title`, or the title the thread was created with while the document has none. */
  title: text('title').notNull(),
  /** `meta.intent` (the founding intent), or the one the thread was created with. */
  intent: text('intent'),
  body: text('body').notNull(),
  messageCount: integer('message_count').notNull(),
  attachmentCount: integer('attachment_count').notNull(),
  attachmentBytes: integer('attachment_bytes').notNull(),
  /** The newest `at`/`editedAt` of its messages; null without messages. */
  activityAt: integer('activity_at'),
  seq: integer('seq').notNull(),
  /**
   * The Yjs snapshot of the document (its state vector and delete set, `Y.encodeSnapshot`): the
   * state vector alone does not change when an update only deletes.
   */
  stamp: blob('stamp', { mode: 'buffer' }).notNull(),
});

/** One row per entry of a thread's `messages` array, in array order (`position`). */
export const projectedMessages = sqliteTable(
  'projected_messages',
  {
    /** Rowid alias: the row's key in the `message_fts` index. Not stable across rebuilds. */
    key: integer('key').primaryKey(),
    threadId: text('thread_id').$type<ThreadId>().notNull(),
    /**
     * The Yjs id (`client:clock`) of the message's Y.Map: unique and stable within the document,
     * where the client-made `id` field is neither guaranteed unique nor present.
     */
    itemId: text('item_id').notNull(),
    position: integer('position').notNull(),
    /** The message's `id` field (null when it is not a string). */
    messageId: text('message_id'),
    author: text('author').$type<UserId>(),
    text: text('text').notNull(),
    at: integer('at'),
    editedAt: integer('edited_at'),
  },
  (t) => [
    uniqueIndex('projected_messages_item').on(t.threadId, t.itemId),
    index('projected_messages_position').on(t.threadId, t.position),
  ],
);

/** One row per entry of a thread's server-written `attachments` map. */
export const projectedAttachments = sqliteTable(
  'projected_attachments',
  {
    threadId: text('thread_id').$type<ThreadId>().notNull(),
    uploadId: text('upload_id').$type<UploadId>().notNull(),
    name: text('name').notNull(),
    size: integer('size').notNull(),
    type: text('type').notNull(),
    sha256: text('sha256').notNull(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.uploadId] })],
);
