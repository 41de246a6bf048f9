/**
 * Avatars end to end against a real server: uploaded over tus with the client library
 * (`purpose: 'avatar'`), kept as a 300×300 image, served to the user and their workspace fellows
 * only (404 for anyone else), refused when not an image, and removed on request.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { createUpload, UploadFailed } from '@caucus/client';
import { it } from '../support/e2e.js';
import { api, type TestServer, type TestUser } from '../support/server.js';
import { encodeMetadata, errorCode, pdfBytes, tusRequest } from '../support/uploads.js';

async function getAvatar(ts: TestServer, of: TestUser, as: TestUser, headers: Record<string, string> = {}) {
  return fetch(`${ts.url}/api/users/${of.id}/avatar`, {
    headers: { authorization: `Bearer ${as.accessToken}`, ...headers },
  });
}

async function uploadAvatar(
  ts: TestServer,
  user: TestUser,
  bytes: Uint8Array,
  type: string,
  name = 'me.png',
) {
  const upload = createUpload({
    url: ts.url,
    token: user.accessToken,
    purpose: 'avatar',
    file: bytes,
    name,
    type,
    retryDelaysMs: [],
  });
  return upload.start();
}

async function failureOf(pending: Promise<unknown>) {
  try {
    await pending;
  } catch (err) {
    if (err instanceof UploadFailed) return err.failure;
    throw err;
  }
  throw new Error('the upload succeeded');
}

const uploadsLeft = (ts: TestServer) =>
  readdirSync(join(ts.dataDir, 'uploads')).filter((f) => !f.startsWith('.'));

describe('avatars', () => {
  it('are stored as 300×300 and served with an ETag and private caching', async ({ ts, owner, viewer }) => {
    const png = await sharp({
      create: { width: 1200, height: 800, channels: 3, background: { r: 20, g: 120, b: 200 } },
    })
      .png()
      .toBuffer();
    const done = await uploadAvatar(ts, owner, png, 'image/png');
    expect(done).toMatchObject({ purpose: 'avatar', size: png.length });

    const res = await getAvatar(ts, owner, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect({ width: meta.width, height: meta.height, format: meta.format }).toEqual({
      width: 300,
      height: 300,
      format: 'webp',
    });

    // A fellow member sees it too; asking again with the ETag is a 304.
    expect((await getAvatar(ts, owner, viewer)).status).toBe(200);
    expect((await getAvatar(ts, owner, owner, { 'if-none-match': etag ?? '' })).status).toBe(304);

    const me = await api<{ avatarUpdatedAt: number | null }>(ts.url, 'GET', '/api/me', {
      token: owner.accessToken,
    });
    expect(typeof me.body.avatarUpdatedAt).toBe('number');
    // The original upload is gone once the avatar is made.
    expect(uploadsLeft(ts)).toEqual([]);
  });

  it('are 404 for a user who shares no workspace, and for a user without one', async ({
    ts,
    owner,
    viewer,
    outsider,
  }) => {
    const res = await getAvatar(ts, owner, outsider);
    expect(res.status).toBe(404);
    expect(errorCode(await res.text())).toBe('not-found');
    expect((await getAvatar(ts, viewer, owner)).status).toBe(404);
  });

  it('refuse a file that is not an image, up front when declared and after sniffing when not', async ({
    ts,
    viewer,
  }) => {
    const declared = uploadAvatar(ts, viewer, pdfBytes(2000), 'application/pdf', 'cv.pdf');
    await expect(declared).rejects.toBeInstanceOf(UploadFailed);
    const failure = await failureOf(declared);
    expect(failure).toMatchObject({ code: 'unsupported-file-type', status: 415 });
    expect(failure.message).toMatch(/PNG, JPEG, WebP, GIF or AVIF/);

    // Declared as a PNG, but the bytes are a PDF: refused once they are in.
    const lying = uploadAvatar(ts, viewer, pdfBytes(2000), 'image/png');
    const sniffed = await failureOf(lying);
    expect(sniffed).toMatchObject({ code: 'unsupported-file-type', status: 415 });
    expect((await getAvatar(ts, viewer, viewer)).status).toBe(404);
    expect(uploadsLeft(ts)).toEqual([]);
  });

  it('refuse more than 10 MiB and an unknown purpose at creation', async ({ ts, viewer }) => {
    const big = await tusRequest(`${ts.url}/files/`, 'POST', {
      token: viewer.accessToken,
      headers: {
        'Upload-Length': String(10 * 1024 * 1024 + 1),
        'Upload-Metadata': encodeMetadata({ filename: 'a.png', purpose: 'avatar' }),
      },
    });
    expect(big.status).toBe(413);
    const odd = await tusRequest(`${ts.url}/files/`, 'POST', {
      token: viewer.accessToken,
      headers: {
        'Upload-Length': '10',
        'Upload-Metadata': encodeMetadata({ filename: 'a.png', purpose: 'banner' }),
      },
    });
    expect(odd.status).toBe(400);
    expect(errorCode(odd.body)).toBe('bad-request');
  });

  it('can be removed', async ({ ts, owner }) => {
    const del = await fetch(`${ts.url}/api/me/avatar`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    expect(del.status).toBe(204);
    expect((await getAvatar(ts, owner, owner)).status).toBe(404);
    expect(existsSync(join(ts.dataDir, 'avatars', `${owner.id}.webp`))).toBe(false);
    const me = await api<{ avatarUpdatedAt: number | null }>(ts.url, 'GET', '/api/me', {
      token: owner.accessToken,
    });
    expect(me.body.avatarUpdatedAt).toBeNull();
  });
});
