/**
 * Helpers for upload tests: real file bytes of known types, sha256, raw tus requests, and the
 * official tus-js-client wrapped in a promise.
 */
import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import * as tus from 'tus-js-client';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A PDF header followed by incompressible bytes: sniffs as application/pdf, exactly `size` bytes. */
export function pdfBytes(size: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n');
  return Buffer.concat([head, randomBytes(size - head.length)]);
}

/** A real PNG image. */
export function pngBytes(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .png()
    .toBuffer();
}

/** The start of an ELF executable (what `file-type` recognises as application/x-elf). */
export function elfBytes(size = 4096): Buffer {
  const bytes = Buffer.alloc(size, 0);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]).copy(bytes, 0);
  bytes.writeUInt16LE(2, 16); // ET_EXEC
  bytes.writeUInt16LE(0x3e, 18); // x86-64
  return bytes;
}

/** `Upload-Metadata` as tus encodes it. */
export function encodeMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

export interface TusResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** One raw tus request (`Tus-Resumable` set unless `tusResumable: false`). */
export async function tusRequest(
  url: string,
  method: string,
  options: {
    token?: string;
    headers?: Record<string, string>;
    body?: Uint8Array;
    tusResumable?: boolean;
  } = {},
): Promise<TusResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.tusResumable !== false) headers['Tus-Resumable'] = '1.0.0';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body) headers['Content-Type'] ??= 'application/offset+octet-stream';
  const res = await fetch(url, { method, headers, ...(options.body ? { body: options.body } : {}) });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Creates an upload with a raw POST; returns the response and the absolute upload URL. */
export async function createUploadRaw(
  baseUrl: string,
  token: string,
  meta: Record<string, string>,
  length: number | 'deferred',
  body?: Uint8Array,
): Promise<TusResponse & { uploadUrl: string | null }> {
  const headers: Record<string, string> = { 'Upload-Metadata': encodeMetadata(meta) };
  if (length === 'deferred') headers['Upload-Defer-Length'] = '1';
  else headers['Upload-Length'] = String(length);
  const res = await tusRequest(`${baseUrl}/files/`, 'POST', { token, headers, ...(body ? { body } : {}) });
  const location = res.headers.get('location');
  return { ...res, uploadUrl: location ? new URL(location, baseUrl).toString() : null };
}

/** The error code of a JSON error body, or null. */
export function errorCode(body: string): string | null {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

export interface TusUploadResult {
  url: string;
  id: string;
}

/** Uploads with the official tus-js-client; resolves on success, rejects with its error. */
export function tusUpload(
  endpoint: string,
  token: string,
  input: Buffer,
  metadata: Record<string, string>,
  options: Partial<tus.UploadOptions> = {},
): Promise<TusUploadResult> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(input, {
      endpoint,
      headers: { Authorization: `Bearer ${token}` },
      metadata,
      retryDelays: null,
      ...options,
      onError: reject,
      onSuccess: () => {
        const url = upload.url ?? '';
        resolve({ url, id: new URL(url).pathname.split('/').pop() ?? '' });
      },
    });
    upload.start();
  });
}

/** The status of a tus-js-client error's response (0 when there was none). */
export function tusErrorStatus(err: unknown): number {
  return (err as tus.DetailedError).originalResponse?.getStatus() ?? 0;
}
