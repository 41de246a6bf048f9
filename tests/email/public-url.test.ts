/**
 * Email on without `CAUCUS_PUBLIC_URL`: links in the messages would point at the bind address, so
 * the server warns at start, once; with it set, it does not.
 */
import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

const warnings = (t: TestServer) => t.logs.filter((l) => l.includes('without CAUCUS_PUBLIC_URL'));

it('warns once at start when SMTP is set without a public URL, and not when it has one', async () => {
  // Nothing is sent in this test, so no SMTP server needs to listen at this address.
  const bare = await startTestServer({ captureLogs: true, email: { smtpUrl: 'smtp://127.0.0.1:9' } });
  servers.push(bare);
  expect(warnings(bare)).toHaveLength(1);
  const named = await startTestServer({
    captureLogs: true,
    email: { smtpUrl: 'smtp://127.0.0.1:9', publicUrl: 'https://caucus.example.test' },
  });
  servers.push(named);
  expect(warnings(named)).toEqual([]);
});
