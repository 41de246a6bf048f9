/**
 * Response headers for serving a stored file: nothing a browser could be talked into running.
 */
import { ALLOWED_FILE_TYPES, fileExtension, isAllowedMimeType, type AllowedFileType } from '@caucus/schema';

/**
 * The name a download is saved under: the stored name, with the type's extension appended when
 * the name's own extension is not one of the type's (so `notes.html` holding text saves as
 * `notes.html.txt`, never as a page).
 */
export function downloadName(name: string, type: string): string {
  if (!isAllowedMimeType(type)) return name;
  const extensions = (ALLOWED_FILE_TYPES[type] as AllowedFileType).extensions;
  return extensions.includes(fileExtension(name)) ? name : `${name}.${extensions[0]}`;
}

/** `attachment` (or `inline`) with an ASCII fallback name and the RFC 5987 UTF-8 one. */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Whether a type is shown in the page rather than saved: allow-listed raster images only. */
export function isInline(type: string): boolean {
  return isAllowedMimeType(type) && (ALLOWED_FILE_TYPES[type] as AllowedFileType).inline === true;
}

/** Every header of a file download except the length. */
export function downloadHeaders(file: {
  name: string;
  type: string;
  sha256: string;
}): Record<string, string> {
  const text =
    isAllowedMimeType(file.type) && (ALLOWED_FILE_TYPES[file.type] as AllowedFileType).text === true;
  return {
    'Content-Type': text ? `${file.type}; charset=utf-8` : file.type,
    'Content-Disposition': contentDisposition(
      isInline(file.type) ? 'inline' : 'attachment',
      downloadName(file.name, file.type),
    ),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': 'sandbox',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // Files never change under an id; the token makes them private.
    'Cache-Control': 'private, no-cache',
    ETag: `"${file.sha256}"`,
  };
}
