/**
 * A thread document, typed (DESIGN §2): read `meta`, `body`, `messages`, `attachments`; write
 * with helpers that obey the server's content rules (a message's author is the user writing it,
 * only the author edits a message, `attachments` is the server's), so edits are not refused.
 */
import * as Y from 'yjs';
import {
  THREAD_ROOTS,
  newId,
  type ThreadAttachment,
  type ThreadMessage,
  type ThreadMeta,
  type UserId,
} from '@caucus/schema';
import { ClientError } from '../errors.js';
import type { DocHandle } from './registry.js';
import { DocView, plainValues } from './view.js';

export class ThreadView extends DocView {
  constructor(
    handle: DocHandle,
    private readonly me: () => Promise<UserId>,
    private readonly now: () => number = Date.now,
  ) {
    super(handle);
  }

  meta(): ThreadMeta {
    const meta = this.doc.getMap<unknown>(THREAD_ROOTS.meta);
    const title = meta.get('title');
    const intent = meta.get('intent');
    return {
      title: typeof title === 'string' ? title : '',
      ...(typeof intent === 'string' ? { intent } : {}),
    };
  }

  body(): string {
    return this.doc.getText(THREAD_ROOTS.body).toJSON();
  }

  messages(): ThreadMessage[] {
    const out: ThreadMessage[] = [];
    for (const item of this.doc.getArray<unknown>(THREAD_ROOTS.messages)) {
      if (!(item instanceof Y.Map)) continue;
      const m = item as Y.Map<unknown>;
      const [id, author, text, at, editedAt] = ['id', 'author', 'text', 'at', 'editedAt'].map((k) =>
        m.get(k),
      );
      if (typeof id !== 'string' || typeof author !== 'string' || typeof text !== 'string') continue;
      out.push({
        id,
        author: author as UserId,
        text,
        at: typeof at === 'number' ? at : 0,
        ...(typeof editedAt === 'number' ? { editedAt } : {}),
      });
    }
    return out;
  }

  attachments(): ThreadAttachment[] {
    return plainValues<ThreadAttachment>(this.doc.getMap(THREAD_ROOTS.attachments));
  }

  /** Appends a message by the current user; resolves with its id. */
  async post(text: string): Promise<string> {
    const author = await this.writable();
    const id = newId();
    const message = new Y.Map<unknown>();
    message.set('id', id);
    message.set('author', author);
    message.set('text', text);
    message.set('at', this.now());
    this.doc.getArray(THREAD_ROOTS.messages).push([message]);
    return id;
  }

  /** Changes the text of one of the current user's messages. */
  async editMessage(id: string, text: string): Promise<void> {
    const message = this.ownMessage(id, await this.writable());
    this.doc.transact(() => {
      message.set('text', text);
      message.set('editedAt', this.now());
    });
  }

  /** Deletes one of the current user's messages. */
  async deleteMessage(id: string): Promise<void> {
    const me = await this.writable();
    this.ownMessage(id, me);
    const messages = this.doc.getArray<unknown>(THREAD_ROOTS.messages);
    const index = messages.toArray().findIndex((m) => m instanceof Y.Map && m.get('id') === id);
    if (index >= 0) messages.delete(index, 1);
  }

  /** Edits the collaborative notes: deletes `remove` characters at `index`, then inserts `insert` there. */
  async editBody(index: number, remove: number, insert = ''): Promise<void> {
    await this.writable();
    const body = this.doc.getText(THREAD_ROOTS.body);
    const at = Math.max(0, Math.min(index, body.length));
    this.doc.transact(() => {
      if (remove > 0) body.delete(at, Math.min(remove, body.length - at));
      if (insert) body.insert(at, insert);
    });
  }

  async appendBody(text: string): Promise<void> {
    await this.editBody(this.doc.getText(THREAD_ROOTS.body).length, 0, text);
  }

  async setTitle(title: string): Promise<void> {
    await this.writable();
    this.doc.getMap(THREAD_ROOTS.meta).set('title', title);
  }

  async setIntent(intent: string): Promise<void> {
    await this.writable();
    this.doc.getMap(THREAD_ROOTS.meta).set('intent', intent);
  }

  private async writable(): Promise<UserId> {
    if (this.status.current.access === 'read')
      throw new ClientError('read-only', `${this.handle.name} is read-only for this user`);
    return this.me();
  }

  private ownMessage(id: string, me: UserId): Y.Map<unknown> {
    for (const item of this.doc.getArray<unknown>(THREAD_ROOTS.messages))
      if (item instanceof Y.Map && item.get('id') === id) {
        if (item.get('author') !== me)
          throw new ClientError('read-only', 'only its author may change a message');
        return item as Y.Map<unknown>;
      }
    throw new ClientError('not-found', `no message ${id} in ${this.handle.name}`);
  }
}
