/**
 * What a thread document projects to: plain data read from a `Y.Doc`, with no I/O. The live
 * projection and the rebuild both go through here, which is what makes their rows the same.
 *
 * Clients write these documents, and the content rules check authorship and sizes but not every
 * field's type, so the reading is lenient: a field of the wrong type is read as missing.
 */
import * as Y from 'yjs';
import { THREAD_ROOTS, type ThreadId, type UploadId, type UserId } from '@caucus/schema';

export interface ProjectedMessage {
  /** The Yjs id of the message's Y.Map, `client:clock`. */
  itemId: string;
  position: number;
  messageId: string | null;
  author: UserId | null;
  text: string;
  at: number | null;
  editedAt: number | null;
}

export interface ProjectedAttachment {
  uploadId: UploadId;
  name: string;
  size: number;
  type: string;
  sha256: string;
}

export interface ThreadProjection {
  threadId: ThreadId;
  title: string;
  intent: string | null;
  body: string;
  messages: ProjectedMessage[];
  attachments: ProjectedAttachment[];
  activityAt: number | null;
  /** The last update-log seq the document held. */
  seq: number;
  /** {@link stampOf} the document. */
  stamp: Uint8Array;
}

/** What the thread was created with: used while its document has no title or intent. */
export interface ThreadRowFallback {
  title: string;
  intent: string | null;
}

/**
 * The document's Yjs snapshot (state vector and delete set), encoded. The state vector alone is
 * not enough to tell two states apart: an update that only deletes (a removed message, erased
 * body text) leaves it unchanged.
 */
export function stampOf(doc: Y.Doc): Uint8Array {
  return Y.encodeSnapshot(Y.snapshot(doc));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const asString = (value: unknown): string | null =>
  typeof value === 'string' ? value : value instanceof Y.Text ? value.toJSON() : null;

const asTime = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * Reads the projection of thread `threadId` from `doc` (synchronously; nothing is kept or
 * changed). `stamp` may be passed when the caller has just computed it.
 */
export function extractThread(
  threadId: ThreadId,
  doc: Y.Doc,
  seq: number,
  fallback: ThreadRowFallback,
  stamp: Uint8Array = stampOf(doc),
): ThreadProjection {
  const meta = doc.getMap<unknown>(THREAD_ROOTS.meta);
  const title = asString(meta.get('title')) ?? fallback.title;
  const intent = meta.has('intent') ? asString(meta.get('intent')) : fallback.intent;

  const messages: ProjectedMessage[] = [];
  let activityAt: number | null = null;
  doc.getArray<unknown>(THREAD_ROOTS.messages).forEach((value, position) => {
    if (!(value instanceof Y.Map) || value._item === null) return;
    const map = value as Y.Map<unknown>;
    const { client, clock } = value._item.id;
    const at = asTime(map.get('at'));
    const editedAt = asTime(map.get('editedAt'));
    for (const t of [at, editedAt]) if (t !== null && (activityAt === null || t > activityAt)) activityAt = t;
    messages.push({
      itemId: `${client}:${clock}`,
      position,
      messageId: asString(map.get('id')),
      author: asString(map.get('author')) as UserId | null,
      text: asString(map.get('text')) ?? '',
      at,
      editedAt,
    });
  });

  const attachments: ProjectedAttachment[] = [];
  doc.getMap<unknown>(THREAD_ROOTS.attachments).forEach((value, key) => {
    if (typeof value !== 'object' || value === null) return;
    const a = value as Record<string, unknown>;
    attachments.push({
      uploadId: key as UploadId,
      name: asString(a.name) ?? '',
      size: asTime(a.size) ?? 0,
      type: asString(a.type) ?? '',
      sha256: asString(a.sha256) ?? '',
    });
  });
  attachments.sort((a, b) => (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));

  return {
    threadId,
    title,
    intent,
    body: doc.getText(THREAD_ROOTS.body).toJSON(),
    messages,
    attachments,
    activityAt,
    seq,
    stamp,
  };
}
