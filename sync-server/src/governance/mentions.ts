/**
 * @mentions in thread messages. A mention is `@` followed by a user id (`@0190f…`): ids are what
 * a message can name unambiguously, and the client renders them as names. Members of the
 * thread's workspace who are mentioned in a message that is new or whose text changed get one
 * notification per message (a later edit does not repeat it). The author is never notified.
 */
import * as Y from 'yjs';
import { THREAD_ROOTS, type ThreadId, type UserId } from '@caucus/schema';
import type { AppendEntry } from '../storage/doc-store.js';

/** `@` + an id, not preceded by a word character (so emails do not count). */
const MENTION = /(?<![\w@.])@([A-Za-z0-9_-]{1,64})/g;

/** Most mentions one message may notify; more are ignored (no notification floods). */
export const MAX_MENTIONS_PER_MESSAGE = 20;

export interface MentionedMessage {
  messageId: string;
  author: UserId;
  text: string;
  mentioned: UserId[];
}

/** The user ids a text mentions, in order, without repeats. */
export function mentionsIn(text: string): UserId[] {
  const ids = new Set<UserId>();
  for (const match of text.matchAll(MENTION)) {
    ids.add(match[1] as UserId);
    if (ids.size >= MAX_MENTIONS_PER_MESSAGE) break;
  }
  return [...ids];
}

/**
 * Messages of `ydoc` that the committed `entries` created or whose `text` they set, read from the
 * committed document (so authors are the verified ones of the content rules).
 */
export function touchedMessages(ydoc: Y.Doc, entries: readonly AppendEntry[]): MentionedMessage[] {
  const messages = ydoc.getArray(THREAD_ROOTS.messages);
  const touched = new Set<Y.Map<unknown>>();
  for (const { update } of entries) {
    let structs: ReturnType<typeof Y.decodeUpdate>['structs'];
    try {
      structs = Y.decodeUpdate(update).structs;
    } catch {
      continue;
    }
    for (const struct of structs) {
      if (!(struct instanceof Y.Item)) continue;
      let item: Y.Item | Y.GC;
      try {
        item = Y.getItem(ydoc.store, struct.id);
      } catch {
        continue;
      }
      if (!(item instanceof Y.Item) || item.deleted) continue;
      const parent = item.parent;
      if (
        parent === messages &&
        item.content instanceof Y.ContentType &&
        item.content.type instanceof Y.Map
      ) {
        touched.add(item.content.type as Y.Map<unknown>);
      } else if (
        parent instanceof Y.Map &&
        item.parentSub === 'text' &&
        parent._item !== null &&
        parent._item.parent === messages
      ) {
        touched.add(parent as Y.Map<unknown>);
      }
    }
  }
  const found: MentionedMessage[] = [];
  for (const map of touched) {
    const id = map.get('id');
    const author = map.get('author');
    const text = map.get('text');
    if (typeof id !== 'string' || typeof author !== 'string' || typeof text !== 'string') continue;
    const mentioned = mentionsIn(text).filter((u) => u !== author);
    if (mentioned.length > 0) found.push({ messageId: id, author: author as UserId, text, mentioned });
  }
  return found;
}

export function mentionKey(threadId: ThreadId, messageId: string): string {
  return `mention:${threadId}:${messageId}`;
}
