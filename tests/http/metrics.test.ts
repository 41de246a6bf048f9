/**
 * `/metrics` as operators alert on it: HTTP requests and latency by route pattern and status,
 * intent verdicts, uploads and their bytes, storage sizes measured at scrape, build info; every
 * series whose labels are known exists at zero from the start; and the real `promtool` finds
 * nothing to complain about.
 */
import { execFile } from 'node:child_process';
import { describe, expect } from 'vitest';
import { INTENT_TYPES, VERDICT_STATUSES } from '@caucus/schema';
import { test } from '../support/e2e.js';
import { api, createThread, signup, type TestServer } from '../support/server.js';
import { createUploadRaw, elfBytes, pdfBytes } from '../support/uploads.js';

/** promtool from Debian's `prometheus` package (.ci/run puts it on the PATH), or PROMTOOL_PATH. */
const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';

async function scrape(ts: TestServer): Promise<string> {
  const res = await fetch(`${ts.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/**
 * `first`: the server's first scrape, before anything happened (what exists at zero must already be
 * there); `user` and their thread `userThreadId` come after it (not the fixture's `owner` and
 * `threadId`, which nothing would order after the scrape).
 */
const it = test
  .extend('first', { scope: 'file' }, ({ ts }) => scrape(ts))
  // Depends on `first` only for the order: the signup comes after the scrape.
  .extend('user', { scope: 'file' }, ({ ts, first: _first }) => signup(ts.url))
  .extend('userThreadId', { scope: 'file' }, ({ ts, user }) => createThread(ts.url, user));

/** The value of one series, or undefined when it is not exposed. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map<string, string>();
    for (const m of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      found.set(m[1] ?? '', m[2] ?? '');
    if (
      Object.entries(labels).every(([k, v]) => found.get(k) === v) &&
      found.size === Object.keys(labels).length
    )
      return Number(match[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  it('has every known labelled series at zero before the first event, and build info', ({ first }) => {
    for (const type of [...INTENT_TYPES, 'invalid'])
      for (const status of VERDICT_STATUSES)
        expect(value(first, 'caucus_intent_verdicts_total', { type, status }), `${type} ${status}`).toBe(0);
    for (const outcome of ['started', 'finished', 'refused', 'expired'])
      expect(value(first, 'caucus_uploads_total', { outcome }), outcome).toBe(0);
    expect(value(first, 'caucus_upload_bytes_total')).toBe(0);
    expect(value(first, 'caucus_refused_updates_total', { reason: 'read-only' })).toBe(0);
    expect(value(first, 'caucus_projections_total', { outcome: 'written' })).toBe(0);
    expect(value(first, 'caucus_build_info', { version: '0.1.0', node: process.versions.node })).toBe(1);
  });

  it('counts HTTP requests by route pattern and status, never by raw path', async ({
    ts,
    user,
    userThreadId: threadId,
  }) => {
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids)
      expect((await api(ts.url, 'GET', `/api/threads/${id}`, { token: user.accessToken })).status).toBe(404);
    await api(ts.url, 'GET', `/api/threads/${threadId}`, { token: user.accessToken });
    await fetch(`${ts.url}/no/such/${ids[0]}`);
    const text = await scrape(ts);
    const labels = { method: 'GET', route: '/api/threads/:id' };
    expect(value(text, 'caucus_http_requests_total', { ...labels, status: '404' })).toBe(2);
    expect(value(text, 'caucus_http_requests_total', { ...labels, status: '200' })).toBe(1);
    expect(value(text, 'caucus_http_request_duration_seconds_count', { ...labels, status: '404' })).toBe(2);
    expect(
      value(text, 'caucus_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBe(1);
    for (const id of [...ids, threadId]) expect(text).not.toContain(id);
  });

  it('counts intent verdicts by type and status', async ({ ts, user }) => {
    const before = await scrape(ts);
    const intents = [
      { id: crypto.randomUUID(), type: 'decision.approve', args: { decisionId: crypto.randomUUID() } },
      { id: crypto.randomUUID(), type: 'no.such.type', args: {} },
      { id: crypto.randomUUID(), type: 'inbox.markAllRead', args: {} },
    ];
    expect(
      (await api(ts.url, 'POST', '/api/intents', { token: user.accessToken, body: { intents } })).status,
    ).toBe(200);
    const after = await scrape(ts);
    const delta = (type: string, status: string) =>
      (value(after, 'caucus_intent_verdicts_total', { type, status }) ?? NaN) -
      (value(before, 'caucus_intent_verdicts_total', { type, status }) ?? NaN);
    expect(delta('decision.approve', 'rejected')).toBe(1);
    expect(delta('invalid', 'rejected')).toBe(1);
    expect(delta('inbox.markAllRead', 'accepted')).toBe(1);
    expect(after).not.toContain('no.such.type');
  });

  it('counts uploads started, finished, refused and expired, and their bytes', async ({
    ts,
    user,
    userThreadId: threadId,
  }) => {
    const pdf = pdfBytes(5000);
    const ok = await createUploadRaw(
      ts.url,
      user.accessToken,
      { filename: 'a.pdf', filetype: 'application/pdf', threadId },
      pdf.length,
      pdf,
    );
    expect(ok.status).toBe(201);
    const elf = elfBytes(3000);
    const refused = await createUploadRaw(
      ts.url,
      user.accessToken,
      { filename: 'b.png', filetype: 'image/png', threadId },
      elf.length,
      elf,
    );
    expect(refused.status).toBe(415);
    const left = await createUploadRaw(ts.url, user.accessToken, { filename: 'c.pdf', threadId }, 10);
    expect(left.status).toBe(201);
    expect(await ts.server.uploads.cleanupExpired(Date.now() + ts.config.uploadExpiryMs + 1)).toBe(1);
    const text = await scrape(ts);
    expect(value(text, 'caucus_uploads_total', { outcome: 'started' })).toBe(3);
    expect(value(text, 'caucus_uploads_total', { outcome: 'finished' })).toBe(1);
    expect(value(text, 'caucus_uploads_total', { outcome: 'refused' })).toBe(1);
    expect(value(text, 'caucus_uploads_total', { outcome: 'expired' })).toBe(1);
    expect(value(text, 'caucus_upload_bytes_total')).toBe(pdf.length + elf.length);
    expect(value(text, 'caucus_upload_storage_bytes')).toBeGreaterThanOrEqual(pdf.length);
    expect(value(text, 'caucus_database_size_bytes')).toBeGreaterThan(4096);
  });

  it('passes promtool check metrics', async ({ ts }) => {
    const text = await scrape(ts);
    const result = await new Promise<{ code: number | string; output: string }>((resolve) => {
      const child = execFile(PROMTOOL, ['check', 'metrics'], (err, stdout, stderr) =>
        resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr }),
      );
      child.stdin?.end(text);
    });
    if (result.code === 'ENOENT')
      throw new Error(
        `${PROMTOOL} not found: install Debian's prometheus package (see .ci/run) or set PROMTOOL_PATH`,
      );
    expect(result).toEqual({ code: 0, output: '' });
  });
});
