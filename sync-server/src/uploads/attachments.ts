/**
 * Writes finished files into a thread document's server-only `attachments` map (DESIGN §2).
 */
import { THREAD_ROOTS, threadDoc, type ThreadAttachment, type ThreadId, type UploadId } from '@caucus/schema';
import type { DocWriter } from '../sync/doc-writer.js';

export interface ThreadAttachments {
  /** Resolves once the attachment is committed (and relayed to open connections). */
  attach(threadId: ThreadId, attachment: ThreadAttachment): Promise<void>;
  detach(threadId: ThreadId, id: UploadId): Promise<void>;
}

/** The attachments of threads, written through `writer` (the sync hub). */
export function hubAttachments(hub: DocWriter): ThreadAttachments {
  return {
    attach: (threadId, attachment) =>
      hub.transact(threadDoc(threadId), { kind: 'thread', id: threadId }, (doc) => {
        doc.getMap(THREAD_ROOTS.attachments).set(attachment.id, { ...attachment });
      }),
    detach: (threadId, id) =>
      hub.transact(threadDoc(threadId), { kind: 'thread', id: threadId }, (doc) => {
        const map = doc.getMap(THREAD_ROOTS.attachments);
        if (map.has(id)) map.delete(id);
      }),
  };
}
