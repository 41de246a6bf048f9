/**
 * Files attached to threads (DESIGN §7): the tus metadata keys, the type allow-list and the shapes
 * of the files API. Pure data, shared by the server (which enforces it) and clients (which can
 * check a file before sending 50 MiB of it).
 */
import type { ThreadId, UploadId, UserId } from './ids.js';

/** Largest upload by default (50 MiB); `CAUCUS_MAX_UPLOAD_BYTES` changes it. */
export const DEFAULT_MAX_UPLOAD_BYTES = 52_428_800;

/** The tus endpoint, relative to the server's origin. */
export const FILES_PATH = '/files';

/** tus `Upload-Metadata` keys Caucus reads. */
export const UPLOAD_METADATA = {
  filename: 'filename',
  filetype: 'filetype',
  threadId: 'threadId',
  /** `avatar` for a profile picture (then there is no `threadId`); absent for a thread's file. */
  purpose: 'purpose',
} as const;

/** The `purpose` of an avatar upload. */
export const AVATAR_PURPOSE = 'avatar';
/** Largest avatar upload (10 MiB). */
export const AVATAR_MAX_BYTES = 10 * 1024 * 1024;
/** The side of the square image the server keeps of an avatar. */
export const AVATAR_SIZE_PX = 300;
/** What an avatar may be uploaded as: raster images the server can decode. */
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif'] as const;

/** Longest accepted file name, in UTF-16 code units. */
export const MAX_FILE_NAME_CHARS = 255;

export type FileCategory = 'image' | 'pdf' | 'office' | 'text' | 'json' | 'zip' | 'audio' | 'video';

export interface AllowedFileType {
  category: FileCategory;
  /** Extensions (lower case, no dot), the first one canonical. */
  extensions: readonly string[];
  /** Text formats have no magic bytes: they are checked as UTF-8 without NULs instead. */
  text?: true;
  /** Served `inline` on download (raster images a browser renders without running anything). */
  inline?: true;
  /** A thumbnail can be made. */
  thumbnail?: true;
}

/**
 * Every type a finished upload may have, by canonical MIME type. SVG is deliberately absent: it
 * is a document that can run script, not a picture.
 */
export const ALLOWED_FILE_TYPES = {
  'image/png': { category: 'image', extensions: ['png'], inline: true, thumbnail: true },
  'image/jpeg': { category: 'image', extensions: ['jpg', 'jpeg', 'jpe'], inline: true, thumbnail: true },
  'image/gif': { category: 'image', extensions: ['gif'], inline: true, thumbnail: true },
  'image/webp': { category: 'image', extensions: ['webp'], inline: true, thumbnail: true },
  'image/avif': { category: 'image', extensions: ['avif'], inline: true, thumbnail: true },
  'image/heic': { category: 'image', extensions: ['heic', 'heif'] },
  'image/bmp': { category: 'image', extensions: ['bmp'] },
  'image/tiff': { category: 'image', extensions: ['tif', 'tiff'], thumbnail: true },
  'application/pdf': { category: 'pdf', extensions: ['pdf'] },
  'application/msword': { category: 'office', extensions: ['doc'] },
  'application/vnd.ms-excel': { category: 'office', extensions: ['xls'] },
  'application/vnd.ms-powerpoint': { category: 'office', extensions: ['ppt'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    category: 'office',
    extensions: ['docx'],
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    category: 'office',
    extensions: ['xlsx'],
  },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': {
    category: 'office',
    extensions: ['pptx'],
  },
  'application/vnd.oasis.opendocument.text': { category: 'office', extensions: ['odt'] },
  'application/vnd.oasis.opendocument.spreadsheet': { category: 'office', extensions: ['ods'] },
  'application/vnd.oasis.opendocument.presentation': { category: 'office', extensions: ['odp'] },
  'text/plain': { category: 'text', extensions: ['txt', 'text', 'log'], text: true },
  'text/markdown': { category: 'text', extensions: ['md', 'markdown'], text: true },
  'text/csv': { category: 'text', extensions: ['csv'], text: true },
  'application/json': { category: 'json', extensions: ['json'], text: true },
  'application/zip': { category: 'zip', extensions: ['zip'] },
  'audio/mpeg': { category: 'audio', extensions: ['mp3'] },
  'audio/mp4': { category: 'audio', extensions: ['m4a'] },
  'video/mp4': { category: 'video', extensions: ['mp4', 'm4v'] },
} as const satisfies Record<string, AllowedFileType>;
export type AllowedMimeType = keyof typeof ALLOWED_FILE_TYPES;

/** Other names clients (browsers, operating systems) use for allowed types. */
export const MIME_ALIASES: Readonly<Record<string, AllowedMimeType>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
  'image/heif': 'image/heic',
  'text/x-markdown': 'text/markdown',
  'text/x-csv': 'text/csv',
  'application/csv': 'text/csv',
  'text/comma-separated-values': 'text/csv',
  'text/json': 'application/json',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'audio/mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
};

/** Declared types that say nothing: the type is then taken from the bytes (or the extension, for text). */
export const GENERIC_MIME_TYPES: ReadonlySet<string> = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'application/unknown',
]);

export function isAllowedMimeType(value: string): value is AllowedMimeType {
  return Object.hasOwn(ALLOWED_FILE_TYPES, value);
}

/**
 * A declared MIME type lower-cased, without parameters, with aliases resolved; `null` for an
 * absent or generic one. Unknown types are returned as they are (and refused later).
 */
export function normalizeMimeType(declared: string | null | undefined): string | null {
  const bare = (declared ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (GENERIC_MIME_TYPES.has(bare)) return null;
  return MIME_ALIASES[bare] ?? bare;
}

/** The lower-case extension of a file name without the dot, or `''`. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 || dot === name.length - 1 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The allowed type a file name's extension suggests, if any. */
export function mimeTypeForExtension(name: string): AllowedMimeType | null {
  const ext = fileExtension(name);
  if (!ext) return null;
  for (const [mime, info] of Object.entries(ALLOWED_FILE_TYPES) as Array<
    [AllowedMimeType, AllowedFileType]
  >) {
    if (info.extensions.includes(ext)) return mime;
  }
  return null;
}

/** A finished file as the files API returns it. */
export interface FileInfo {
  id: UploadId;
  threadId: ThreadId;
  name: string;
  size: number;
  type: string;
  sha256: string;
  uploadedBy: UserId;
  createdAt: number;
  completedAt: number;
}

/** `GET /api/files/stats`: the caller's own files. */
export interface FileStats {
  count: number;
  bytes: number;
  byType: Record<string, { count: number; bytes: number }>;
  /** Unfinished uploads that count against the concurrency limit. */
  activeUploads: number;
  maxConcurrentUploads: number;
  /** Bytes counted against the quota: finished files plus what unfinished uploads reserve. */
  quotaUsedBytes: number;
  quotaBytes: number;
  maxUploadBytes: number;
}
