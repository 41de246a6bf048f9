/**
 * Writes thread projections into the read-model tables, changing only the rows that differ: a
 * new message is one insert, an edited one one update, and a projection made from the state the
 * rows already came from writes nothing at all. The live projection and the rebuild share it.
 */
import { eq, sql } from 'drizzle-orm';
import { tables, type ThreadId } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { perDatabase } from '../storage/per-database.js';
import {
  sameBytes,
  type ProjectedAttachment,
  type ProjectedMessage,
  type ThreadProjection,
} from './extract.js';

const { projectedThreads, projectedMessages, projectedAttachments } = tables;

/**
 * `unchanged`: the rows already came from this state (only `seq` may have been brought forward);
 * `stale`: the rows come from a later state than this one and were kept; `written`: rows changed.
 */
export type WriteOutcome = 'unchanged' | 'stale' | 'written';

export interface WriteOptions {
  /** Compare every row even when the stamp says they came from this very state (repairs). */
  force?: boolean;
}

/** A named parameter, as SQL so that it fits `set()` as well as `values()`. */
const p = (name: string) => sql`${sql.placeholder(name)}`;

function prepare(db: Db) {
  const threadId = p('threadId');
  const key = p('key');
  const threadFields = {
    title: p('title'),
    intent: p('intent'),
    body: p('body'),
    messageCount: p('messageCount'),
    attachmentCount: p('attachmentCount'),
    attachmentBytes: p('attachmentBytes'),
    activityAt: p('activityAt'),
    seq: p('seq'),
    stamp: p('stamp'),
  };
  const messageFields = {
    position: p('position'),
    messageId: p('messageId'),
    author: p('author'),
    text: p('text'),
    at: p('at'),
    editedAt: p('editedAt'),
  };
  const attachmentFields = { name: p('name'), size: p('size'), type: p('type'), sha256: p('sha256') };
  return {
    thread: db.select().from(projectedThreads).where(eq(projectedThreads.threadId, threadId)).prepare(),
    insertThread: db
      .insert(projectedThreads)
      .values({ threadId, ...threadFields })
      .prepare(),
    updateThread: db
      .update(projectedThreads)
      .set(threadFields)
      .where(eq(projectedThreads.key, key))
      .prepare(),
    updateSeq: db
      .update(projectedThreads)
      .set({ seq: p('seq') })
      .where(eq(projectedThreads.key, key))
      .prepare(),
    deleteThread: db.delete(projectedThreads).where(eq(projectedThreads.threadId, threadId)).prepare(),
    messages: db.select().from(projectedMessages).where(eq(projectedMessages.threadId, threadId)).prepare(),
    insertMessage: db
      .insert(projectedMessages)
      .values({ threadId, itemId: p('itemId'), ...messageFields })
      .prepare(),
    updateMessage: db
      .update(projectedMessages)
      .set(messageFields)
      .where(eq(projectedMessages.key, key))
      .prepare(),
    deleteMessage: db.delete(projectedMessages).where(eq(projectedMessages.key, key)).prepare(),
    deleteMessages: db.delete(projectedMessages).where(eq(projectedMessages.threadId, threadId)).prepare(),
    attachments: db
      .select()
      .from(projectedAttachments)
      .where(eq(projectedAttachments.threadId, threadId))
      .prepare(),
    insertAttachment: db
      .insert(projectedAttachments)
      .values({ threadId, uploadId: p('uploadId'), ...attachmentFields })
      .prepare(),
    updateAttachment: db
      .update(projectedAttachments)
      .set(attachmentFields)
      .where(
        sql`${projectedAttachments.threadId} = ${threadId} AND ${projectedAttachments.uploadId} = ${p('uploadId')}`,
      )
      .prepare(),
    deleteAttachment: db
      .delete(projectedAttachments)
      .where(
        sql`${projectedAttachments.threadId} = ${threadId} AND ${projectedAttachments.uploadId} = ${p('uploadId')}`,
      )
      .prepare(),
    deleteAttachments: db
      .delete(projectedAttachments)
      .where(eq(projectedAttachments.threadId, threadId))
      .prepare(),
  };
}

type Statements = ReturnType<typeof prepare>;
type ThreadRow = typeof projectedThreads.$inferSelect;
type MessageRow = typeof projectedMessages.$inferSelect;
type AttachmentRow = typeof projectedAttachments.$inferSelect;

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function sameMessage(row: MessageRow, m: ProjectedMessage): boolean {
  return (
    row.position === m.position &&
    row.messageId === m.messageId &&
    row.author === m.author &&
    row.text === m.text &&
    row.at === m.at &&
    row.editedAt === m.editedAt
  );
}

function sameAttachment(row: AttachmentRow, a: ProjectedAttachment): boolean {
  return row.name === a.name && row.size === a.size && row.type === a.type && row.sha256 === a.sha256;
}

function threadFieldsOf(projection: ThreadProjection) {
  return {
    title: projection.title,
    intent: projection.intent,
    body: projection.body,
    messageCount: projection.messages.length,
    attachmentCount: projection.attachments.length,
    attachmentBytes: projection.attachments.reduce((n, a) => n + a.size, 0),
    activityAt: projection.activityAt,
    seq: projection.seq,
    stamp: toBuffer(projection.stamp),
  };
}

function sameThread(row: ThreadRow, fields: ReturnType<typeof threadFieldsOf>): boolean {
  return (
    row.title === fields.title &&
    row.intent === fields.intent &&
    row.body === fields.body &&
    row.messageCount === fields.messageCount &&
    row.attachmentCount === fields.attachmentCount &&
    row.attachmentBytes === fields.attachmentBytes &&
    row.activityAt === fields.activityAt &&
    row.seq === fields.seq &&
    sameBytes(row.stamp, fields.stamp)
  );
}

const statementsFor = perDatabase(prepare);

/** Writes projections into one database; statements are prepared once per database. */
export class ProjectionWriter {
  readonly #db: Db;
  readonly #s: Statements;
  readonly #write: (projection: ThreadProjection, force: boolean) => WriteOutcome;
  readonly #remove: (threadId: ThreadId) => boolean;

  constructor(db: Db) {
    this.#db = db;
    const s = (this.#s = statementsFor(db));
    this.#write = db.$client.transaction((projection: ThreadProjection, force: boolean) =>
      writeProjection(s, projection, force),
    );
    this.#remove = db.$client.transaction((threadId: ThreadId) => {
      const removed =
        s.deleteMessages.run({ threadId }).changes + s.deleteAttachments.run({ threadId }).changes;
      return s.deleteThread.run({ threadId }).changes + removed > 0;
    });
  }

  /** Writes `projection` in one transaction (joining the caller's, if there is one). */
  write(projection: ThreadProjection, options: WriteOptions = {}): WriteOutcome {
    return this.#write(projection, options.force ?? false);
  }

  /** Drops a thread's rows (its thread row is gone); true when there were any. */
  remove(threadId: ThreadId): boolean {
    return this.#remove(threadId);
  }

  /** The stamp and seq the thread's rows were made from, if it has been projected. */
  stored(threadId: ThreadId): { stamp: Uint8Array; seq: number } | undefined {
    const row = this.#s.thread.get({ threadId });
    return row ? { stamp: row.stamp, seq: row.seq } : undefined;
  }

  get db(): Db {
    return this.#db;
  }
}

function writeProjection(s: Statements, projection: ThreadProjection, force: boolean): WriteOutcome {
  const { threadId } = projection;
  const row = s.thread.get({ threadId });
  if (row && !force && sameBytes(row.stamp, projection.stamp)) {
    if (row.seq < projection.seq) s.updateSeq.run({ key: row.key, seq: projection.seq });
    return 'unchanged';
  }
  // Projections of one thread may be made out of order (a rebuild, or catching up, next to the
  // live server): the rows never go back to an earlier position in the log.
  if (row && row.seq > projection.seq) return 'stale';
  let wrote = false;
  const fields = threadFieldsOf(projection);
  if (!row) {
    s.insertThread.run({ threadId, ...fields });
    wrote = true;
  } else if (!sameThread(row, fields)) {
    s.updateThread.run({ key: row.key, ...fields });
    wrote = true;
  }

  const messages = new Map(s.messages.all({ threadId }).map((m) => [m.itemId, m]));
  for (const m of projection.messages) {
    const old = messages.get(m.itemId);
    messages.delete(m.itemId);
    if (old && sameMessage(old, m)) continue;
    if (old) s.updateMessage.run({ key: old.key, ...m });
    else s.insertMessage.run({ threadId, ...m });
    wrote = true;
  }
  for (const gone of messages.values()) {
    s.deleteMessage.run({ key: gone.key });
    wrote = true;
  }

  const attachments = new Map(s.attachments.all({ threadId }).map((a) => [a.uploadId as string, a]));
  for (const a of projection.attachments) {
    const old = attachments.get(a.uploadId);
    attachments.delete(a.uploadId);
    if (old && sameAttachment(old, a)) continue;
    if (old) s.updateAttachment.run({ threadId, ...a });
    else s.insertAttachment.run({ threadId, ...a });
    wrote = true;
  }
  for (const gone of attachments.values()) {
    s.deleteAttachment.run({ threadId, uploadId: gone.uploadId });
    wrote = true;
  }
  return wrote ? 'written' : 'unchanged';
}
