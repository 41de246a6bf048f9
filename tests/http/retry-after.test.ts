/**
 * Every 429 says when to come back (`Retry-After`): the intent rate, the concurrent-upload limit
 * (over tus) and the sync upgrade's connection limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_INTENTS_PER_BATCH } from '@caucus/schema';
import { api, createThread, signup, startTestServer, type TestServer } from '../support/server.js';
import { createUploadRaw, errorCode } from '../support/uploads.js';

let ts: TestServer | null = null;
afterEach(async () => {
  await ts?.stop();
  ts = null;
});

/** Seconds in a `Retry-After` header: a positive whole number, as RFC 9110 asks. */
function retryAfterSeconds(headers: Headers | Record<string, string | string[] | undefined>): number {
  const value = headers instanceof Headers ? headers.get('retry-after') : headers['retry-after'];
  expect(value).toMatch(/^[1-9]\d*$/);
  return Number(value);
}

describe('Retry-After on 429', () => {
  it('comes with the intent rate limit, as long as the bucket needs to refill', async () => {
    ts = await startTestServer();
    const user = await signup(ts.url);
    const batch = (n: number) =>
      Array.from({ length: n }, () => ({ id: crypto.randomUUID(), type: 'inbox.markAllRead', args: {} }));
    const send = (n: number) =>
      fetch(`${ts?.url}/api/intents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ intents: batch(n) }),
      });
    let refused: Response | null = null;
    // The bucket holds a burst of 300; batches of the largest size drain it.
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await send(MAX_INTENTS_PER_BATCH);
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused?.status).toBe(429);
    expect(errorCode((await refused?.text()) ?? '')).toBe('rate-limited');
    const wait = retryAfterSeconds(refused?.headers ?? new Headers());
    // 100 intents at 20 per second: at most 5 s.
    expect(wait).toBeLessThanOrEqual(5);
  });

  it('comes with too-many-uploads, saying when an idle upload stops counting', async () => {
    ts = await startTestServer({ uploads: { maxConcurrentUploads: 1 } });
    const user = await signup(ts.url);
    const threadId = await createThread(ts.url, user);
    const meta = { filename: 'a.pdf', filetype: 'application/pdf', threadId };
    expect((await createUploadRaw(ts.url, user.accessToken, meta, 100)).status).toBe(201);
    const second = await createUploadRaw(ts.url, user.accessToken, meta, 100);
    expect(second.status).toBe(429);
    expect(errorCode(second.body)).toBe('too-many-uploads');
    const wait = retryAfterSeconds(second.headers);
    // The first upload was written to just now: it counts for the next 10 minutes.
    expect(wait).toBeGreaterThan(590);
    expect(wait).toBeLessThanOrEqual(600);
  });

  it('comes with the sync upgrade refused for too many open connections', async () => {
    ts = await startTestServer({ limits: { maxConnectionsPerUser: 1 } });
    const user = await signup(ts.url);
    const threadId = await createThread(ts.url, user);
    const url = `${ts.wsUrl}/thread:${threadId}?token=${user.accessToken}`;
    const first = new WebSocket(url);
    await new Promise((resolve, reject) => {
      first.once('open', resolve);
      first.once('error', reject);
    });
    const refused = await new Promise<{
      status: number;
      headers: Record<string, string | string[] | undefined>;
    }>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
        ws.terminate();
      });
      ws.once('open', () => reject(new Error('the second connection was accepted')));
      // Terminating a refused upgrade reports an error; the answer was already taken.
      ws.on('error', () => undefined);
    });
    expect(refused.status).toBe(429);
    expect(retryAfterSeconds(refused.headers)).toBeGreaterThanOrEqual(1);
    const closed = new Promise((resolve) => first.once('close', resolve));
    first.close();
    await closed;
  });

  it('is not sent with other errors', async () => {
    ts = await startTestServer();
    const res = await api(ts.url, 'GET', '/api/me');
    expect(res.status).toBe(401);
    const raw = await fetch(`${ts.url}/api/me`);
    expect(raw.headers.get('retry-after')).toBeNull();
  });
});
