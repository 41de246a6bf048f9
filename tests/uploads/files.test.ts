/**
 * What happens when an upload finishes, through the official tus-js-client and y-websocket
 * clients: type verification against the bytes, the attachment in the thread document, download
 * headers, thumbnails, listing, statistics and deletion.
 */
import { describe, expect } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FileInfo, FileStats, InboxNotification, ThreadAttachment } from '@caucus/schema';
import { test } from '../support/e2e.js';
import { connectClient, synced, until, type TestClient } from '../support/providers.js';
import { api, createThread, type TestServer, signupMember } from '../support/server.js';
import {
  elfBytes,
  errorCode,
  pdfBytes,
  pngBytes,
  sha256,
  tusErrorStatus,
  tusRequest,
  tusUpload,
} from '../support/uploads.js';

/** `watcher`: the owner's synced client on the thread, where attachments show. */
const it = test.extend('watcher', { scope: 'file' }, async ({ owner, connect }) => {
  const watcher = connect(owner);
  await synced(watcher);
  return watcher;
});

const attachments = (watcher: TestClient) => watcher.doc.getMap<ThreadAttachment>('attachments');
const endpoint = (ts: TestServer) => `${ts.url}/files/`;
const uploadDir = (ts: TestServer) => join(ts.dataDir, 'uploads');

describe('a finished upload', () => {
  it('is verified, recorded and attached to the thread document, and downloads byte for byte', async ({
    ts,
    owner,
    editor,
    threadId,
    watcher,
  }) => {
    const bytes = pdfBytes(300_000);
    const { id, url } = await tusUpload(endpoint(ts), editor.accessToken, bytes, {
      filename: 'Minutes – März.pdf',
      filetype: 'application/pdf',
      threadId,
    });
    await until(watcher.doc, () => attachments(watcher).has(id));
    expect(attachments(watcher).get(id)).toEqual({
      id,
      name: 'Minutes – März.pdf',
      size: bytes.length,
      type: 'application/pdf',
      sha256: sha256(bytes),
    });

    const res = await fetch(url, { headers: { Authorization: `Bearer ${owner.accessToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Minutes _ M_rz.pdf"; filename*=UTF-8''Minutes%20%E2%80%93%20M%C3%A4rz.pdf`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(bytes));

    const info = await api<FileInfo>(ts.url, 'GET', `/api/files/${id}`, { token: owner.accessToken });
    expect(info.body).toMatchObject({
      id,
      threadId,
      size: bytes.length,
      sha256: sha256(bytes),
      uploadedBy: editor.id,
    });
  });

  it('serves allow-listed images inline, with a thumbnail', async ({ ts, owner, threadId }) => {
    const png = await pngBytes(800, 600);
    const { id, url } = await tusUpload(endpoint(ts), owner.accessToken, png, {
      filename: 'photo.png',
      filetype: 'image/png',
      threadId,
    });
    const res = await fetch(url, { headers: { Authorization: `Bearer ${owner.accessToken}` } });
    expect(res.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(res.headers.get('content-type')).toBe('image/png');
    await res.arrayBuffer();

    const thumb = await fetch(`${url}/thumbnail`, {
      headers: { Authorization: `Bearer ${owner.accessToken}` },
    });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const { default: sharp } = await import('sharp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width, meta.height)).toBe(320);

    // Not an image: no thumbnail.
    const pdf = await tusUpload(endpoint(ts), owner.accessToken, pdfBytes(1000), {
      filename: 'a.pdf',
      threadId,
    });
    const none = await tusRequest(`${pdf.url}/thumbnail`, 'GET', { token: owner.accessToken });
    expect(none.status).toBe(404);
    expect(id).toBeTruthy();
  });

  it('takes the type from the bytes when none is declared, and checks text formats as UTF-8 text', async ({
    ts,
    owner,
    threadId,
  }) => {
    const csv = Buffer.from('name,votes\nAda,3\nGrace,5\n');
    const a = await tusUpload(endpoint(ts), owner.accessToken, csv, {
      filename: 'votes.csv',
      threadId,
    });
    expect(
      (await api<FileInfo>(ts.url, 'GET', `/api/files/${a.id}`, { token: owner.accessToken })).body.type,
    ).toBe('text/csv');
    // Served as text, never rendered: a download, with the right extension appended to a page-like name.
    const html = Buffer.from('<script>alert(1)</script>');
    const b = await tusUpload(endpoint(ts), owner.accessToken, html, {
      filename: 'page.html',
      filetype: 'text/plain',
      threadId,
    });
    const res = await fetch(b.url, { headers: { Authorization: `Bearer ${owner.accessToken}` } });
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="page\.html\.txt"/);
    await res.arrayBuffer();

    // Bytes that are not UTF-8 are not text, whatever they are called.
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]);
    const refused = await tusUpload(endpoint(ts), owner.accessToken, latin1, {
      filename: 'notes.md',
      filetype: 'text/markdown',
      threadId,
    }).catch((err: unknown) => err);
    expect(tusErrorStatus(refused)).toBe(415);
  });
});

describe('a type mismatch', () => {
  it('refuses an executable declared as an image, removes its bytes and attaches nothing', async ({
    ts,
    owner,
    threadId,
  }) => {
    const before = readdirSync(uploadDir(ts)).length;
    const err = await tusUpload(endpoint(ts), owner.accessToken, elfBytes(), {
      filename: 'cat.png',
      filetype: 'image/png',
      threadId,
    }).catch((e: unknown) => e);
    expect(tusErrorStatus(err)).toBe(415);
    const body = (err as { originalResponse: { getBody(): string } }).originalResponse.getBody();
    expect(errorCode(body)).toBe('unsupported-file-type');
    expect(readdirSync(uploadDir(ts)).length).toBe(before);
  });

  it('refuses PNG bytes declared as a PDF, and an undeclared executable', async ({ ts, owner, threadId }) => {
    const png = await pngBytes();
    const asPdf = await tusUpload(endpoint(ts), owner.accessToken, png, {
      filename: 'report.pdf',
      filetype: 'application/pdf',
      threadId,
    }).catch((e: unknown) => e);
    expect(tusErrorStatus(asPdf)).toBe(415);
    const undeclared = await tusUpload(endpoint(ts), owner.accessToken, elfBytes(), {
      filename: 'tool',
      threadId,
    }).catch((e: unknown) => e);
    expect(tusErrorStatus(undeclared)).toBe(415);
    const list = await api<{ files: FileInfo[] }>(ts.url, 'GET', `/api/files?threadId=${threadId}`, {
      token: owner.accessToken,
    });
    expect(list.body.files.map((f) => f.name)).not.toContain('report.pdf');
    expect(list.body.files.map((f) => f.name)).not.toContain('tool');
  });
});

describe('reading files', () => {
  it('lists a thread’s files for its members only, and gives each user their own statistics', async ({
    ts,
    owner,
    editor,
    outsider,
  }) => {
    const fresh = await createThread(ts.url, owner);
    const one = await tusUpload(endpoint(ts), editor.accessToken, pdfBytes(2000), {
      filename: 'one.pdf',
      threadId: fresh,
    });
    const two = await tusUpload(endpoint(ts), editor.accessToken, Buffer.from('{"a":1}'), {
      filename: 'two.json',
      threadId: fresh,
    });
    const list = await api<{ files: FileInfo[] }>(ts.url, 'GET', `/api/files?threadId=${fresh}`, {
      token: owner.accessToken,
    });
    expect(list.status).toBe(200);
    expect(list.body.files.map((f) => [f.id, f.type])).toEqual([
      [one.id, 'application/pdf'],
      [two.id, 'application/json'],
    ]);
    expect(
      (await api(ts.url, 'GET', `/api/files?threadId=${fresh}`, { token: outsider.accessToken })).status,
    ).toBe(404);
    expect((await api(ts.url, 'GET', `/api/files`, { token: owner.accessToken })).status).toBe(400);

    const stats = await api<FileStats>(ts.url, 'GET', '/api/files/stats', { token: editor.accessToken });
    expect(stats.body.byType['application/pdf']).toEqual({ count: 2, bytes: 300_000 + 2000 });
    expect(stats.body.byType['application/json']).toEqual({ count: 1, bytes: 7 });
    expect(stats.body.count).toBe(3);
    expect(stats.body.bytes).toBe(302_007);
    expect(stats.body.maxUploadBytes).toBe(52_428_800);

    // Downloads need read access to the thread: an outsider gets nothing, not even a hint.
    const denied = await tusRequest(one.url, 'GET', { token: outsider.accessToken });
    expect(denied.status).toBe(404);
  });
});

describe('deleting a file', () => {
  it('lets the uploader or a workspace owner delete, and removes the attachment and the bytes', async ({
    ts,
    owner,
    editor,
    outsider,
    threadId,
    watcher,
  }) => {
    const other = await signupMember(ts.url, owner, 'other-editor', 'editor');
    const a = await tusUpload(endpoint(ts), editor.accessToken, pdfBytes(1000), {
      filename: 'a.pdf',
      threadId,
    });
    const b = await tusUpload(endpoint(ts), editor.accessToken, pdfBytes(1000), {
      filename: 'b.pdf',
      threadId,
    });
    await until(watcher.doc, () => attachments(watcher).has(a.id) && attachments(watcher).has(b.id));

    expect((await api(ts.url, 'DELETE', `/files/${a.id}`, { token: other.accessToken })).status).toBe(403);
    expect((await api(ts.url, 'DELETE', `/files/${a.id}`, { token: outsider.accessToken })).status).toBe(404);
    expect(attachments(watcher).has(a.id)).toBe(true);

    expect((await api(ts.url, 'DELETE', `/files/${a.id}`, { token: editor.accessToken })).status).toBe(204);
    expect((await api(ts.url, 'DELETE', `/files/${b.id}`, { token: owner.accessToken })).status).toBe(204);
    await until(watcher.doc, () => !attachments(watcher).has(a.id) && !attachments(watcher).has(b.id));
    expect(existsSync(join(uploadDir(ts), a.id))).toBe(false);
    expect(existsSync(join(uploadDir(ts), b.id))).toBe(false);
    expect((await tusRequest(a.url, 'GET', { token: editor.accessToken })).status).toBe(404);
    expect((await api(ts.url, 'DELETE', `/files/${a.id}`, { token: editor.accessToken })).status).toBe(404);
  });
});

describe('notifications', () => {
  it('puts a notification in the other members’ inboxes, not the uploader’s', async ({
    ts,
    owner,
    editor,
    threadId,
  }) => {
    const inbox = connectClient(ts.wsUrl, `inbox:${owner.id}`, owner.accessToken);
    try {
      await synced(inbox);
      const notifications = inbox.doc.getMap<InboxNotification>('notifications');
      const { id } = await tusUpload(endpoint(ts), editor.accessToken, pdfBytes(1536), {
        filename: 'budget.pdf',
        threadId,
      });
      const mentions = () => [...notifications.values()].filter((n) => n.title === 'New file: budget.pdf');
      await until(inbox.doc, () => mentions().length > 0);
      expect(mentions()).toHaveLength(1);
      expect(mentions()[0]).toMatchObject({
        kind: 'info',
        link: `/threads/${threadId}`,
        body: 'editor attached budget.pdf (1.5 KB).',
      });
      const own = await api<{ notifications: InboxNotification[] }>(ts.url, 'GET', '/api/inbox', {
        token: editor.accessToken,
      });
      expect(own.body.notifications.filter((n) => n.title === 'New file: budget.pdf')).toEqual([]);
      expect(id).toBeTruthy();
    } finally {
      inbox.destroy();
    }
  });

  it('tells onUploadFinished listeners about each finished file once, with its workspace', async ({
    ts,
    owner,
    threadId,
  }) => {
    const seen: string[] = [];
    const off = ts.server.uploads.onUploadFinished(({ file, workspaceId }) => {
      seen.push(`${file.name}@${workspaceId}`);
    });
    try {
      await tusUpload(endpoint(ts), owner.accessToken, pdfBytes(500), { filename: 'n.pdf', threadId });
      expect(seen).toEqual([`n.pdf@${owner.workspaceId}`]);
    } finally {
      off();
    }
  });
});
