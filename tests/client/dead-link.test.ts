/**
 * A link that goes silent without closing (a dead mobile connection) is noticed within 5 s by the
 * application ping; the client reconnects and what was written meanwhile reaches the server.
 */
import { describe, expect } from 'vitest';
import { synced, until } from '../support/providers.js';
import { createThread } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { apiToken, it as base, nodeClient, online, waitFor } from './support.js';

/** Client→server bytes the first connection carries before it goes silent: past the handshake. */
const STALL_AFTER_BYTES = 6000;

/** `proxy`: in front of the file's server; its first connection goes silent after the handshake. */
const it = base.extend('proxy', { scope: 'file' }, async ({ ts }, { onCleanup }) => {
  const proxy = await TcpProxy.start({
    target: { host: '127.0.0.1', port: Number(new URL(ts.url).port) },
    stallAfterBytes: (connection) => (connection === 0 ? STALL_AFTER_BYTES : null),
  });
  onCleanup(() => proxy.close());
  return proxy;
});

describe('a silent link', () => {
  it('is given up within 5 s and the client comes back with its edits', async ({
    ts,
    owner: ada,
    proxy,
    connect,
  }) => {
    const threadId = await createThread(ts.url, ada);
    const client = nodeClient(proxy.url, ada, await apiToken(ts.url, ada), {
      backoff: { baseMs: 50, capMs: 200 },
    });
    try {
      const thread = client.thread(threadId);
      await thread.whenSynced;
      let stalledAt = 0;
      const gaveUp = waitFor(
        client.status,
        (s) => stalledAt > 0 && s.connection !== 'online',
        'the dead link',
        15_000,
      );
      // Write until the link swallows what is sent (the proxy has no event for it: check after each post).
      for (let i = 0; stalledAt === 0 && i < 100; i++) {
        await thread.post(`message ${i} ${'x'.repeat(200)}`);
        await new Promise<void>((r) => setImmediate(r));
        if (proxy.stats.stalls > 0) stalledAt = Date.now();
      }
      expect(stalledAt).toBeGreaterThan(0);
      await gaveUp;
      expect(Date.now() - stalledAt).toBeLessThanOrEqual(5000);

      await online(client);
      await client.flush();
      const written = thread.messages().length;
      const y = connect(ada, `thread:${threadId}`);
      await synced(y);
      await until(y.doc, () => y.doc.getArray('messages').length === written);
      expect(proxy.stats.connections).toBeGreaterThanOrEqual(2);
    } finally {
      await client.close();
    }
  });
});
