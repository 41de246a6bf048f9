/**
 * 200 documents over one WebSocket: access is per document — a role downgrade makes one
 * read-only and leaves the other 199 writable, a document the user may not open is refused alone.
 */
import { describe, expect } from 'vitest';
import type { DocHandle } from '@caucus/client';
import { one } from '../governance/support.js';
import { health } from '../sync/mux-support.js';
import { createThread } from '../support/server.js';
import { apiToken, it, waitFor } from './support.js';

const OWN_THREADS = 199;

describe('many documents on one connection', () => {
  it(
    '200 documents share one socket; a downgrade and a refusal touch one document each',
    { timeout: 90_000 },
    async ({ ts, owner: bob, editor: ada, outsider: carol, newClient }) => {
      const own: string[] = [];
      for (let i = 0; i < OWN_THREADS; i += 10)
        own.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(10, OWN_THREADS - i) }, (_, j) =>
              createThread(ts.url, ada, ada.workspaceId, `t${i + j}`),
            ),
          )),
        );
      const shared = await createThread(ts.url, bob, bob.workspaceId, 'shared');
      const forbidden = await createThread(ts.url, carol, carol.workspaceId, 'not for ada');

      const client = newClient(ada, await apiToken(ts.url, ada));
      const handles = new Map<string, DocHandle>();
      for (const id of [...own, shared]) handles.set(id, client.open(`thread:${id}`));
      const refused = client.open(`thread:${forbidden}`);
      await Promise.all([...handles.values()].map((h) => h.whenSynced));
      await expect(refused.whenSynced).rejects.toMatchObject({ code: 'doc-refused' });
      expect(refused.status.current.denied?.code).toBe(4403);
      expect((await health(ts.url)).sockets).toBe(1);
      expect(client.status.current.connection).toBe('online');
      for (const h of handles.values()) expect(h.status.current.access).toBe('write');

      const demoted = await one(ts, bob, {
        type: 'member.setRole',
        args: { workspaceId: bob.workspaceId, userId: ada.id, role: 'viewer' },
        basis: { status: 'editor' },
      });
      expect(demoted.status).toBe('accepted');
      const sharedHandle = handles.get(shared) as DocHandle;
      await waitFor(sharedHandle.status, (s) => s.access === 'read', 'the shared thread to turn read-only');
      const accesses = [...handles.entries()]
        .filter(([id]) => id !== shared)
        .map(([, h]) => h.status.current);
      expect(accesses.every((s) => s.access === 'write' && s.denied === null && s.synced)).toBe(true);
      expect((await health(ts.url)).sockets).toBe(1);

      // An edit of the downgraded document is refused (and kept aside) for that document alone.
      sharedHandle.doc.getText('body').insert(0, 'written after the downgrade');
      const [kept] = await waitFor(client.refused, (l) => l.length === 1, 'the read-only refusal');
      expect(kept).toMatchObject({ doc: `thread:${shared}`, reason: { code: 'read-only' } });
      await waitFor(sharedHandle.status, (s) => s.generation === 1 && s.synced, 'the reset');
      expect(sharedHandle.doc.getText('body').toJSON()).toBe('');

      // The 199 stay writable: an edit to each of a few is acknowledged.
      const sample = own.slice(0, 5).map((id) => client.thread(id));
      for (const t of sample) await t.post('still writable');
      await client.flush();
      expect(client.status.current.unsynced).toBe(0);
      expect(client.status.current.connection).toBe('online');
      for (const t of sample) t.release();
    },
  );
});
