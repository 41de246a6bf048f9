/**
 * The API behaves the same way everywhere: every list pages with `limit`/`cursor`/`nextCursor`;
 * query parameters are refused with the code and messages of body fields; a method a path does
 * not have is 405 with `Allow`, not 404.
 */
import { describe, expect } from 'vitest';
import { it } from '../support/e2e.js';
import { api, createThread, type TestServer, type TestUser } from '../support/server.js';
import { createUploadRaw } from '../support/uploads.js';

/** Who reads the lists: the file's server and its owner. */
interface Reader {
  ts: TestServer;
  owner: TestUser;
}

type Page = Record<string, unknown> & { nextCursor?: string | null };

/** Every page of a list, `limit` at a time, following `nextCursor`. */
async function allPages({ ts, owner }: Reader, path: string, key: string, limit: number) {
  const pages: unknown[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res: { status: number; body: Page } = await api<Page>(ts.url, 'GET', url, {
      token: owner.accessToken,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toHaveProperty('nextCursor');
    pages.push(res.body[key] as unknown[]);
    cursor = res.body.nextCursor ?? null;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

async function whole({ ts, owner }: Reader, path: string, key: string): Promise<unknown[]> {
  const res = await api<Page>(ts.url, 'GET', path, { token: owner.accessToken });
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return res.body[key] as unknown[];
}

describe('cursor pagination', () => {
  it('pages the inbox, newest first, without gaps or repeats', async ({ ts, owner }) => {
    // Each rejected intent leaves an error notification in its actor's inbox.
    const intents = Array.from({ length: 5 }, () => ({
      id: crypto.randomUUID(),
      type: 'decision.approve',
      args: { decisionId: crypto.randomUUID() },
    }));
    expect(
      (await api(ts.url, 'POST', '/api/intents', { token: owner.accessToken, body: { intents } })).status,
    ).toBe(200);
    const all = await whole({ ts, owner }, '/api/inbox', 'notifications');
    expect(all.length).toBeGreaterThanOrEqual(5);
    const pages = await allPages({ ts, owner }, '/api/inbox', 'notifications', 2);
    expect(pages.map((p) => p.length)).toEqual(chunks(all.length, 2));
    expect(pages.flat()).toEqual(all);
  });

  it('pages the audit log in chain order', async ({ ts, owner }) => {
    // Five, so that pages of two make three (the fixtures create no thread unless asked).
    for (let i = 0; i < 5; i++) await createThread(ts.url, owner, owner.workspaceId, `t${i}`);
    const path = `/api/audit?workspaceId=${owner.workspaceId}`;
    const all = await whole({ ts, owner }, path, 'events');
    expect(all.length).toBeGreaterThanOrEqual(5);
    const pages = await allPages({ ts, owner }, path, 'events', 2);
    expect(pages.flat()).toEqual(all);
    expect(pages.map((p) => p.length)).toEqual(chunks(all.length, 2));
    const seqs = (all as Array<{ seq: number }>).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('pages a thread’s files in the order they finished', async ({ ts, owner, threadId }) => {
    for (let i = 0; i < 3; i++) {
      const bytes = Buffer.from(`file ${i}\n`);
      const meta = { filename: `f${i}.txt`, filetype: 'text/plain', threadId };
      expect((await createUploadRaw(ts.url, owner.accessToken, meta, bytes.length, bytes)).status).toBe(201);
    }
    const path = `/api/files?threadId=${threadId}`;
    const all = await whole({ ts, owner }, path, 'files');
    expect((all as Array<{ name: string }>).map((f) => f.name)).toEqual(['f0.txt', 'f1.txt', 'f2.txt']);
    const pages = await allPages({ ts, owner }, path, 'files', 2);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(pages.flat()).toEqual(all);
  });

  it('refuses a cursor from another list', async ({ ts, owner, threadId }) => {
    const inbox = await api<Page>(ts.url, 'GET', '/api/inbox?limit=1', { token: owner.accessToken });
    const cursor = encodeURIComponent(String(inbox.body.nextCursor));
    const res = await api<{ error: { code: string } }>(
      ts.url,
      'GET',
      `/api/files?threadId=${threadId}&cursor=${cursor}`,
      {
        token: owner.accessToken,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid-body');
  });
});

/** Page sizes of `n` items, `size` at a time. */
function chunks(n: number, size: number): number[] {
  return Array.from({ length: Math.ceil(n / size) }, (_, i) => Math.min(size, n - i * size));
}

describe('query parameter errors', () => {
  const fieldError = async (
    { ts, owner }: Reader,
    path: string,
    init: { method?: string; body?: unknown } = {},
  ) => {
    const res = await api<{ error: { code: string; message: string } }>(ts.url, init.method ?? 'GET', path, {
      token: owner.accessToken,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    expect(res.status, path).toBe(400);
    return res.body.error;
  };

  it('have the code and the wording of body errors', async ({ ts, owner, threadId }) => {
    const body = await fieldError({ ts, owner }, '/api/tokens', {
      method: 'POST',
      body: { name: 'n', expiresInDays: 'abc' },
    });
    expect(body.code).toBe('invalid-body');
    const wording = body.message.replace(/^expiresInDays: /, '');
    for (const [path, field] of [
      ['/api/threads?limit=abc', 'limit'],
      [`/api/decisions?workspaceId=${owner.workspaceId}&limit=abc`, 'limit'],
      ['/api/inbox?limit=abc', 'limit'],
      [`/api/audit?workspaceId=${owner.workspaceId}&after=abc`, 'after'],
      [`/api/files?threadId=${threadId}&limit=abc`, 'limit'],
    ] as const) {
      const error = await fieldError({ ts, owner }, path);
      expect({ path, code: error.code, message: error.message }).toEqual({
        path,
        code: 'invalid-body',
        message: `${field}: ${wording}`,
      });
    }
  });

  it('refuse a parameter given twice', async ({ ts, owner }) => {
    const error = await fieldError({ ts, owner }, '/api/threads?limit=1&limit=50');
    expect(error).toEqual({ code: 'invalid-body', message: 'limit: given more than once' });
  });
});

describe('methods a path does not have', () => {
  it('are 405 with Allow and the error body, on API, service and file routes', async ({
    ts,
    owner,
    threadId,
  }) => {
    const cases: Array<[string, string, string[]]> = [
      ['DELETE', '/api/me', ['GET', 'HEAD']],
      ['PUT', `/api/threads/${threadId}`, ['GET', 'HEAD']],
      ['DELETE', '/api/inbox', ['GET', 'HEAD']],
      ['GET', '/api/auth/login', ['POST']],
      ['PATCH', '/api/intents', ['POST']],
      ['POST', '/healthz', ['GET', 'HEAD']],
      ['DELETE', '/api/files/stats', ['GET', 'HEAD']],
    ];
    for (const [method, path, allowed] of cases) {
      const res = await fetch(ts.url + path, {
        method,
        headers: { authorization: `Bearer ${owner.accessToken}` },
      });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 405 });
      const allow = (res.headers.get('allow') ?? '').split(/,\s*/).sort();
      expect(allow).toEqual([...allowed].sort());
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe('method-not-allowed');
      expect(body.error.message).toContain(method);
    }
  });

  it('leave unknown paths 404', async ({ ts }) => {
    const res = await fetch(`${ts.url}/api/no-such-thing`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
  });
});
