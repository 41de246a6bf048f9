import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { UserId } from '@caucus/schema';
import { staticToken } from './auth/token-source.js';
import { createClient } from './client.js';
import { ClientError } from './errors.js';
import { memoryStorage } from './storage/memory.js';

const me = 'user-1' as UserId;
const offlineClient = (storage = memoryStorage(), url = 'http://127.0.0.1:9') =>
  createClient({ url, auth: staticToken('cau_test'), storage, user: me, offline: true });

describe('createClient, offline', () => {
  it('opens one document per name however many views hold it, and closes it with the last', async () => {
    const client = offlineClient();
    const a = client.open('thread:t1');
    const b = client.open('thread:t1');
    expect(a.doc).toBe(b.doc);
    expect(client.status.current.docs.size).toBe(1);
    a.release();
    a.release();
    expect(client.status.current.docs.size).toBe(1);
    b.release();
    expect(client.status.current.docs.size).toBe(0);
    const c = client.open('thread:t1');
    expect(c.doc).not.toBe(a.doc);
    await client.close();
  });

  it('refuses names that are not document names', async () => {
    const client = offlineClient();
    expect(() => client.open('nope')).toThrow(ClientError);
    expect(() => client.open('thread:../x')).toThrow(expect.objectContaining({ code: 'invalid-doc-name' }));
    await client.close();
  });

  it('writes threads as the user, following the content rules', async () => {
    const client = offlineClient();
    const thread = client.thread('t2');
    const seen: number[] = [];
    thread.subscribe(() => seen.push(thread.messages().length));
    const id = await thread.post('hello');
    await thread.editMessage(id, 'hello, edited');
    await thread.appendBody('notes');
    await thread.editBody(0, 1, 'N');
    await thread.setTitle('Plans');
    const [message, ...more] = thread.messages();
    expect(more).toEqual([]);
    expect(message).toMatchObject({ id, author: me, text: 'hello, edited' });
    expect(message?.editedAt).toBeTypeOf('number');
    expect(thread.body()).toBe('Notes');
    expect(thread.meta()).toEqual({ title: 'Plans' });
    expect(seen.length).toBeGreaterThanOrEqual(4);

    const other = new Y.Map<unknown>();
    other.set('id', 'm-other');
    other.set('author', 'someone-else');
    other.set('text', 'theirs');
    thread.doc.getArray('messages').push([other]);
    await expect(thread.editMessage('m-other', 'mine now')).rejects.toMatchObject({ code: 'read-only' });
    await expect(thread.deleteMessage('missing')).rejects.toMatchObject({ code: 'not-found' });
    await thread.deleteMessage(id);
    expect(thread.messages().map((m) => m.id)).toEqual(['m-other']);
    await client.close();
  });

  it('keeps offline edits in its store across a restart, counted as unsynced', async () => {
    const storage = memoryStorage();
    const first = offlineClient(storage);
    const thread = first.thread('t3');
    await thread.whenLoaded;
    await thread.post('written offline');
    expect(first.status.current.unsynced).toBeGreaterThan(0);
    await first.close();

    const second = offlineClient(storage);
    const again = second.thread('t3');
    await again.whenLoaded;
    expect(again.messages().map((m) => m.text)).toEqual(['written offline']);
    expect(second.status.current.docs.get('thread:t3')?.unsynced).toBeGreaterThan(0);
    await expect(second.flush()).rejects.toMatchObject({ code: 'offline' });
    await second.close();
  });

  it('refuses a store that belongs to another server', async () => {
    const storage = memoryStorage();
    await offlineClient(storage, 'http://127.0.0.1:1').close();
    const other = offlineClient(storage, 'http://127.0.0.1:2');
    await new Promise<void>((resolve) => {
      if (other.status.current.problem) return resolve();
      const off = other.status.subscribe((s) => s.problem && (off(), resolve()));
    });
    expect(other.status.current.problem?.code).toBe('state-dir-mismatch');
    await other.close();
  });
});

describe('several tabs', () => {
  it('share edits at once over a BroadcastChannel, offline too', async () => {
    const channel = `caucus-test-${Math.random()}`;
    const make = () =>
      createClient({
        url: 'http://127.0.0.1:9',
        auth: staticToken('cau_test'),
        user: me,
        offline: true,
        tabs: channel,
      });
    const [a, b] = [make(), make()];
    const ta = a.thread('tabbed');
    const tb = b.thread('tabbed');
    const arrived = new Promise<void>((resolve) => {
      const off = tb.subscribe(() => tb.messages().length === 1 && (off(), resolve()));
    });
    await ta.post('from the first tab');
    await arrived;
    expect(tb.messages().map((m) => m.text)).toEqual(['from the first tab']);
    expect(Y.encodeStateVector(tb.doc)).toEqual(Y.encodeStateVector(ta.doc));
    await Promise.all([a.close(), b.close()]);
  });
});
