/**
 * The one port through which server code writes documents: a server-side change, applied on the
 * hub's room, committed, relayed and only then resolved. The sync hub implements it; governance
 * (decisions, inboxes, the workspace's members), the projection (the workspace's thread catalog)
 * and uploads (a thread's attachments) write through it, and their tests pass a fake.
 */
import type * as Y from 'yjs';
import type { DocName, DocRef } from '@caucus/schema';

export interface DocWriter {
  /** Applies `change` to the document and resolves once it is committed and relayed. */
  transact(name: DocName, ref: DocRef, change: (doc: Y.Doc) => void): Promise<void>;
}
