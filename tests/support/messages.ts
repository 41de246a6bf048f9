/** A thread message as the clients write one, for tests that type into a thread's `messages`. */
import * as Y from 'yjs';
import { newId } from '@caucus/schema';

/** A Y.Map with a fresh id, the author, the text and the time. */
export function threadMessage(text: string, author: string): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  m.set('id', newId());
  m.set('author', author);
  m.set('text', text);
  m.set('at', Date.now());
  return m;
}
