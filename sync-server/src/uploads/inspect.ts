/**
 * What a finished upload really is: its sha256, and its type sniffed from the bytes and checked
 * against the allow-list and against what the client declared (DESIGN §7).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';
import { fileTypeFromFile } from 'file-type';
import {
  ALLOWED_FILE_TYPES,
  isAllowedMimeType,
  mimeTypeForExtension,
  type AllowedFileType,
  type AllowedMimeType,
} from '@caucus/schema';

export type Inspection =
  { ok: true; type: AllowedMimeType; size: number; sha256: string } | { ok: false; reason: string };

/** Containers the zip-based office formats are: a document declared as one of them may sniff as plain zip. */
const ZIP_CONTAINERS: ReadonlySet<string> = new Set([
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
]);

/** The legacy office formats are Compound File Binary; so are installers (.msi), which are not allowed. */
const CFB_TYPES: ReadonlySet<string> = new Set([
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
]);

/**
 * The type the bytes say, reconciled with `declared` (already normalized; null when the client
 * declared nothing useful) and the file name's extension, or why the file is refused.
 */
export function decideType(input: {
  /** What file-type recognised from magic bytes; undefined when nothing matched. */
  sniffed: string | undefined;
  /** Whether the bytes are UTF-8 text without NULs (only consulted when nothing was sniffed). */
  isText: boolean;
  declared: string | null;
  name: string;
}): { ok: true; type: AllowedMimeType } | { ok: false; reason: string } {
  const { sniffed, isText, declared, name } = input;
  const byExtension = mimeTypeForExtension(name);
  if (sniffed !== undefined) {
    if (sniffed === 'application/x-cfb') {
      // Word, Excel and PowerPoint 97–2003 have no magic of their own; the declaration or the
      // extension must say which one it is.
      const claimed = declared ?? byExtension;
      if (claimed !== null && CFB_TYPES.has(claimed)) return { ok: true, type: claimed as AllowedMimeType };
      return {
        ok: false,
        reason: 'compound binary files are only accepted as Word, Excel or PowerPoint documents',
      };
    }
    if (!isAllowedMimeType(sniffed)) return { ok: false, reason: `files of type ${sniffed} are not allowed` };
    if (declared === null || declared === sniffed) return { ok: true, type: sniffed };
    if (sniffed === 'application/zip' && ZIP_CONTAINERS.has(declared)) {
      return { ok: true, type: declared as AllowedMimeType };
    }
    if (declared === 'application/zip' && ZIP_CONTAINERS.has(sniffed)) return { ok: true, type: sniffed };
    return { ok: false, reason: `declared as ${declared} but the bytes are ${sniffed}` };
  }
  if (!isText) {
    return { ok: false, reason: 'the bytes are not a recognised file type nor UTF-8 text' };
  }
  if (declared !== null && isAllowedMimeType(declared) && isTextType(declared))
    return { ok: true, type: declared };
  const textByExtension = byExtension !== null && isTextType(byExtension) ? byExtension : null;
  if (declared === null) return { ok: true, type: textByExtension ?? 'text/plain' };
  // Windows labels .csv files as Excel documents.
  if (declared === 'application/vnd.ms-excel' && textByExtension === 'text/csv')
    return { ok: true, type: 'text/csv' };
  return { ok: false, reason: `declared as ${declared} but the bytes are plain text` };
}

function isTextType(mime: AllowedMimeType): boolean {
  return (ALLOWED_FILE_TYPES[mime] as AllowedFileType).text === true;
}

/**
 * The sha256 and size of a byte stream fed in order, and whether it is UTF-8 text without NULs
 * (tracked only when `checkText`). Fed by the upload store as bytes arrive, so a finished upload
 * usually needs no second read.
 */
export class RunningDigest {
  readonly #hash = createHash('sha256');
  readonly #decoder: TextDecoder | null;
  #isText: boolean;
  #size = 0;

  constructor(checkText = true) {
    this.#decoder = checkText ? new TextDecoder('utf-8', { fatal: true }) : null;
    this.#isText = checkText;
  }

  get size(): number {
    return this.#size;
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    if (!this.#isText || !this.#decoder) return;
    if (chunk.includes(0)) this.#isText = false;
    else {
      try {
        this.#decoder.decode(chunk, { stream: true });
      } catch {
        this.#isText = false;
      }
    }
  }

  digest(): FileDigest {
    if (this.#isText && this.#decoder) {
      try {
        this.#decoder.decode();
      } catch {
        this.#isText = false;
      }
    }
    return { sha256: this.#hash.digest('hex'), size: this.#size, isText: this.#isText };
  }
}

export interface FileDigest {
  sha256: string;
  size: number;
  /** UTF-8 without NULs (false when not checked). */
  isText: boolean;
}

/** Reads the file once for its {@link FileDigest}. */
export async function digestFile(path: string, checkText: boolean): Promise<FileDigest> {
  const digest = new RunningDigest(checkText);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    digest.update(chunk);
  }
  return digest.digest();
}

/**
 * Sniffs, hashes and checks the finished file at `path`. `known` is the digest computed while the
 * bytes arrived, when the store has one for the whole file; otherwise the file is read again.
 */
export async function inspectFile(
  path: string,
  declared: string | null,
  name: string,
  known?: FileDigest | null,
): Promise<Inspection> {
  const sniffed = (await fileTypeFromFile(path))?.mime;
  const { sha256, size, isText } = known ?? (await digestFile(path, sniffed === undefined));
  const decision = decideType({ sniffed, isText, declared, name });
  return decision.ok ? { ok: true, type: decision.type, size, sha256 } : decision;
}
