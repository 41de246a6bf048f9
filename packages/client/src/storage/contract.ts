/**
 * The contract every ClientStorage keeps (STYLE §4): run by each implementation's test file.
 * `open` gives a storage over the same data each time it is called (a restart).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { RefusedChange } from '../docs/refused.js';
import type { ClientStorage } from './types.js';

export function runStorageContract(label: string, open: () => ClientStorage): void {
  describe(`${label} storage contract`, () => {
    const opened: ClientStorage[] = [];
    const start = () => {
      const s = open();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('keeps every update of a bound document across a restart', async () => {
      const a = start();
      const doc = new Y.Doc();
      const binding = a.bind('thread:t1', doc);
      expect((await binding.loaded).records).toBe(0);
      doc.getText('body').insert(0, 'hello');
      doc.getArray<string>('list').push(['x', 'y']);
      doc.getText('body').insert(5, ' world');
      await a.close();

      const b = start();
      const again = new Y.Doc();
      const loaded = await b.bind('thread:t1', again).loaded;
      expect(loaded.records).toBe(3);
      expect(again.getText('body').toJSON()).toBe('hello world');
      expect(again.getArray('list').toJSON()).toEqual(['x', 'y']);
      expect(await b.docNames()).toEqual(['thread:t1']);
    });

    it('compacts a document into one record when it is loaded', async () => {
      const a = start();
      const doc = new Y.Doc();
      a.bind('thread:t2', doc);
      for (let i = 0; i < 20; i++) doc.getText('body').insert(0, String(i % 10));
      await a.close();
      const first = start();
      expect((await first.bind('thread:t2', new Y.Doc()).loaded).records).toBe(20);
      await first.close();
      const second = start();
      const reread = new Y.Doc();
      expect((await second.bind('thread:t2', reread).loaded).records).toBe(1);
      expect(reread.getText('body').length).toBe(20);
    });

    it('loads a mostly-read document without growing (y-indexeddb #31)', async () => {
      const a = start();
      const doc = new Y.Doc();
      a.bind('thread:t3', doc);
      doc.getText('body').insert(0, 'read me');
      await a.close();
      for (let i = 0; i < 3; i++) {
        const s = start();
        const loaded = await s.bind('thread:t3', new Y.Doc()).loaded;
        expect(loaded.records).toBe(1);
        await s.close();
      }
    });

    it('remembers the acknowledged state vector, and clear() forgets the document', async () => {
      const a = start();
      const doc = new Y.Doc();
      const binding = a.bind('thread:t4', doc);
      expect((await binding.loaded).acked).toBeNull();
      doc.getText('body').insert(0, 'acked');
      binding.saveAcked(Y.encodeStateVector(doc));
      await a.close();

      const b = start();
      const again = new Y.Doc();
      const rebound = b.bind('thread:t4', again);
      const acked = (await rebound.loaded).acked;
      expect(acked && Y.decodeStateVector(acked)).toEqual(Y.decodeStateVector(Y.encodeStateVector(doc)));
      await rebound.clear();
      again.getText('body').insert(0, 'not stored after clear');
      await b.close();

      const c = start();
      const empty = new Y.Doc();
      const loaded = await c.bind('thread:t4', empty).loaded;
      expect(loaded).toEqual({ acked: null, records: 0 });
      expect(empty.getText('body').toJSON()).toBe('');
    });

    it('keeps refused changes and meta values until removed', async () => {
      const a = start();
      const change: RefusedChange = {
        id: 'r1',
        doc: 'thread:t5',
        at: 1_700_000_000_000,
        reason: { code: 'author-mismatch', message: 'not you' },
        summary: ['message "hi" added'],
        update: new Uint8Array([1, 2, 3]),
      };
      await a.refused.put(change);
      await a.refused.put({ ...change, id: 'r2', at: change.at + 1 });
      await a.meta.set('user', 'u1');
      await a.close();

      const b = start();
      expect(await b.refused.list()).toEqual([change, { ...change, id: 'r2', at: change.at + 1 }]);
      expect(await b.meta.get('user')).toBe('u1');
      await b.refused.remove('r1');
      await b.meta.set('user', null);
      expect((await b.refused.list()).map((c) => c.id)).toEqual(['r2']);
      expect(await b.meta.get('user')).toBeNull();
    });
  });
}
