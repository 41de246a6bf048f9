/**
 * Error codes of the HTTP API, sent as `{ error: { code, message } }`. Each code has one HTTP status.
 */
export const API_ERRORS = {
  'bad-request': 400,
  'invalid-body': 400,
  /** A signup password that is among the first an attacker would try (common, a pattern, the email). */
  'weak-password': 400,
  unauthorized: 401,
  'invalid-credentials': 401,
  'token-expired': 401,
  'refresh-token-reused': 401,
  forbidden: 403,
  'not-found': 404,
  /** The path exists, the method does not (the answer's `Allow` lists those that do). */
  'method-not-allowed': 405,
  conflict: 409,
  'email-taken': 409,
  /** An upload that expired or was removed; an invitation answered, replaced or expired. */
  gone: 410,
  /** A tus request without `Tus-Resumable`. */
  'precondition-failed': 412,
  'payload-too-large': 413,
  /** The user's upload storage quota would be exceeded. */
  'quota-exceeded': 413,
  /** The file's bytes are not an allowed type, or not the type it was declared as. */
  'unsupported-file-type': 415,
  /** A download's `Range` starts at or past the end of the file (the answer names the size). */
  'range-not-satisfiable': 416,
  'rate-limited': 429,
  /** The user already has the maximum number of unfinished uploads. */
  'too-many-uploads': 429,
  internal: 500,
  /** A tus extension the server does not offer (concatenation). */
  'not-implemented': 501,
  unavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/**
 * Why the server refused an update on a sync connection. Sent inside a y-protocols
 * `PermissionDenied` auth message as JSON `{ code, message }` (see {@link encodeRefusal}).
 */
export const REFUSAL_CODES = [
  /** The connection may only read this document (viewer, or a server-only document). */
  'read-only',
  /** A message's `author` is not the user who wrote it. */
  'author-mismatch',
  /** A change to someone else's message. */
  'not-message-author',
  /** The Yjs clientID is bound to another user in this document. */
  'client-id-taken',
  /** A write to a server-only part of the document (thread `attachments`). */
  'server-only',
  /** A root type or value shape the document kind does not have. */
  'invalid-shape',
  /** A message text, title or other field over its size limit. */
  'field-too-large',
  /** A single update over the update size limit. */
  'update-too-large',
  /** The document would grow past its size limit. */
  'doc-too-large',
  /** The update depends on changes the server does not have and the client did not supply. */
  'missing-dependencies',
  /** The update bytes could not be decoded. */
  'malformed-update',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export function encodeRefusal(refusal: Refusal): string {
  return JSON.stringify(refusal);
}

/** Parses a `PermissionDenied` reason; `null` when it is not one of ours. */
export function decodeRefusal(reason: string): Refusal | null {
  try {
    const value: unknown = JSON.parse(reason);
    if (typeof value !== 'object' || value === null) return null;
    const { code, message } = value as Record<string, unknown>;
    if (typeof code !== 'string' || !(REFUSAL_CODES as readonly string[]).includes(code)) return null;
    return { code: code as RefusalCode, message: typeof message === 'string' ? message : '' };
  } catch {
    return null;
  }
}
