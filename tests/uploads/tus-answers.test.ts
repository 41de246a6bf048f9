/**
 * The answers tus 1.0 requires whoever makes them: `Tus-Resumable` on every answer but OPTIONS
 * (a 401 from our auth included), `Tus-Version` with a 412 (a missing or an unsupported
 * `Tus-Resumable`), and a 501 for concatenation that says what to do instead.
 */
import { describe, expect } from 'vitest';
import { it } from '../support/e2e.js';
import { createUploadRaw, encodeMetadata, errorCode, tusRequest } from '../support/uploads.js';

const meta = (threadId: string) =>
  encodeMetadata({ filename: 'a.pdf', filetype: 'application/pdf', threadId });

describe('tus answers', () => {
  it('carry Tus-Resumable on a 401, for every tus method', async ({ ts, owner, threadId }) => {
    const created = await createUploadRaw(ts.url, owner.accessToken, { filename: 'a.pdf', threadId }, 10);
    for (const [method, target] of [
      ['POST', `${ts.url}/files/`],
      ['HEAD', created.uploadUrl ?? ''],
      ['PATCH', created.uploadUrl ?? ''],
      ['DELETE', created.uploadUrl ?? ''],
    ] as const) {
      const res = await tusRequest(target, method, {
        headers: { 'Upload-Length': '10', 'Upload-Offset': '0' },
      });
      expect({ method, status: res.status }).toEqual({ method, status: 401 });
      expect(res.headers.get('tus-resumable'), method).toBe('1.0.0');
    }
  });

  it('carry Tus-Version on a 412 for a missing Tus-Resumable', async ({ ts, owner, threadId }) => {
    const res = await tusRequest(`${ts.url}/files/`, 'POST', {
      token: owner.accessToken,
      tusResumable: false,
      headers: { 'Upload-Length': '1', 'Upload-Metadata': meta(threadId) },
    });
    expect(res.status).toBe(412);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(errorCode(res.body)).toBe('precondition-failed');
  });

  it('answer a version the server does not speak with 412 and Tus-Version', async ({
    ts,
    owner,
    threadId,
  }) => {
    const res = await fetch(`${ts.url}/files/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${owner.accessToken}`,
        'tus-resumable': '0.2.2',
        'upload-length': '1',
        'upload-metadata': meta(threadId),
      },
    });
    expect(res.status).toBe(412);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    const body = await res.text();
    expect(errorCode(body)).toBe('precondition-failed');
    expect(body).toContain('1.0.0');
  });

  it('answer concatenation with 501 and a message saying what to do instead', async ({
    ts,
    owner,
    threadId,
  }) => {
    const res = await tusRequest(`${ts.url}/files/`, 'POST', {
      token: owner.accessToken,
      headers: { 'Upload-Length': '1', 'Upload-Metadata': meta(threadId), 'Upload-Concat': 'partial' },
    });
    expect(res.status).toBe(501);
    expect(errorCode(res.body)).toBe('not-implemented');
    const message = (JSON.parse(res.body) as { error: { message: string } }).error.message;
    expect(message).toMatch(/concatenation/);
    expect(message).toMatch(/parallelUploads/);
    expect(res.headers.get('tus-resumable')).toBe('1.0.0');
  });
});
