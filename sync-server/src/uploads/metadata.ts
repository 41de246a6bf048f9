/**
 * tus `Upload-Metadata`, parsed at the edge: `filename`, `filetype` and `threadId` (DESIGN §7).
 */
import { z } from 'zod';
import {
  ID_PATTERN,
  MAX_FILE_NAME_CHARS,
  UPLOAD_METADATA,
  normalizeMimeType,
  type ThreadId,
} from '@caucus/schema';

export interface UploadMetadata {
  /** Sanitized: a bare name, no control or bidi-override characters. */
  filename: string;
  /** Normalized (aliases resolved); null when absent or generic. */
  filetype: string | null;
  threadId: ThreadId;
}

/** Control characters, and the bidi overrides that make `evil\u202Etxt.exe` read as `evilexe.txt`. */
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A file name safe to store and show: the last path segment, trimmed, unsafe characters removed. */
export function sanitizeFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE_NAME_CHARS, '').trim();
  if (cleaned === '.' || cleaned === '..') return '';
  return cleaned.length > MAX_FILE_NAME_CHARS ? cleaned.slice(0, MAX_FILE_NAME_CHARS) : cleaned;
}

const MIME_SHAPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

const metadataSchema = z.object({
  [UPLOAD_METADATA.filename]: z
    .string({ error: 'filename is required' })
    .transform(sanitizeFileName)
    .pipe(z.string().min(1, 'filename is empty once sanitized')),
  [UPLOAD_METADATA.filetype]: z
    .string()
    .max(255)
    .nullish()
    .transform((v) => normalizeMimeType(v))
    .refine((v) => v === null || MIME_SHAPE.test(v), 'filetype is not a MIME type'),
  [UPLOAD_METADATA.threadId]: z
    .string({ error: 'threadId is required' })
    .regex(ID_PATTERN, 'threadId is not an id')
    .transform((s) => s as ThreadId),
});

/** The parsed metadata, or the reasons it is invalid. */
export function parseUploadMetadata(
  raw: Record<string, string | null> | undefined,
): { ok: true; value: UploadMetadata } | { ok: false; message: string } {
  const result = metadataSchema.safeParse(raw ?? {});
  if (!result.success) {
    return { ok: false, message: result.error.issues.map((i) => i.message).join('; ') };
  }
  return { ok: true, value: result.data };
}
