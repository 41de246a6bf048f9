import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { summarizeUpdate } from './summary.js';

function message(id: string, text: string): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  m.set('id', id);
  m.set('author', 'u1');
  m.set('text', text);
  m.set('at', 1);
  return m;
}

/** A server copy and a local copy that diverges from it by `edit`. */
function diverge(edit: (local: Y.Doc) => void, setup: (doc: Y.Doc) => void = () => undefined) {
  const server = new Y.Doc();
  setup(server);
  const local = new Y.Doc();
  Y.applyUpdate(local, Y.encodeStateAsUpdate(server));
  edit(local);
  return { server, update: Y.encodeStateAsUpdate(local, Y.encodeStateVector(server)) };
}

describe('summarizeUpdate', () => {
  it('names added, edited and deleted messages, body and meta changes of a thread', () => {
    const { server, update } = diverge(
      (local) => {
        const messages = local.getArray<Y.Map<unknown>>('messages');
        messages.push([message('m2', 'a new message')]);
        messages.get(0).set('text', 'edited text');
        local.getText('body').insert(0, 'twelve chars');
        local.getText('body').delete(12, 3);
        local.getMap('meta').set('title', 'New title');
      },
      (doc) => {
        doc.getArray('messages').push([message('m1', 'first')]);
        doc.getText('body').insert(0, 'old');
      },
    );
    const lines = summarizeUpdate(server, update, 'thread');
    expect(lines).toEqual(
      expect.arrayContaining([
        'message "a new message" added',
        'message "m1" edited to "edited text"',
        'body: 12 characters inserted, 3 characters deleted',
        'meta: title set to "New title"',
      ]),
    );
    expect(lines).toHaveLength(4);
    expect(server.getText('body').toJSON()).toBe('old');
  });

  it('names a deleted message and a part the document kind does not have', () => {
    const { server, update } = diverge(
      (local) => {
        local.getArray('messages').delete(0, 1);
        local.getMap('secret').set('x', 1);
      },
      (doc) => doc.getArray('messages').push([message('m1', 'first')]),
    );
    expect(summarizeUpdate(server, update, 'thread')).toEqual([
      '1 message deleted',
      'secret: changed (not part of a thread document)',
    ]);
  });

  it('lists roots changed in other kinds of document, and nothing for an update it already has', () => {
    const { server, update } = diverge((local) => local.getMap('decision').set('status', 'resolved'));
    expect(summarizeUpdate(server, update, 'decision')).toEqual(['decision changed']);
    const same = diverge(
      () => undefined,
      (doc) => doc.getText('body').insert(0, 'x'),
    );
    expect(summarizeUpdate(same.server, same.update, 'thread')).toEqual([]);
  });

  it('quotes long texts shortened', () => {
    const { server, update } = diverge((local) =>
      local.getArray('messages').push([message('m', 'x'.repeat(100))]),
    );
    expect(summarizeUpdate(server, update, 'thread')).toEqual([`message "${'x'.repeat(39)}…" added`]);
  });
});
