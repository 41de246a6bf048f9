/**
 * Image thumbnails (sharp), made on first request and kept next to the uploads.
 */
import { chmod, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { UploadId } from '@caucus/schema';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../storage/file-modes.js';

/** Longest side of a thumbnail. */
export const THUMBNAIL_MAX_PX = 320;
/** Images with more pixels than this are not decoded (decompression bombs). */
const MAX_INPUT_PIXELS = 100_000_000;

export const THUMBNAIL_TYPE = 'image/webp';

export class Thumbnails {
  readonly #dir: string;
  readonly #making = new Map<UploadId, Promise<string | null>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The thumbnail file of upload `id` made from `source`, or null when the image cannot be decoded. */
  get(id: UploadId, source: string): Promise<string | null> {
    let pending = this.#making.get(id);
    if (!pending) {
      pending = this.#make(id, source).finally(() => this.#making.delete(id));
      this.#making.set(id, pending);
    }
    return pending;
  }

  async remove(id: UploadId): Promise<void> {
    await unlink(this.#path(id)).catch(() => undefined);
  }

  #path(id: UploadId): string {
    return join(this.#dir, `${id}.webp`);
  }

  async #make(id: UploadId, source: string): Promise<string | null> {
    const target = this.#path(id);
    if (await exists(target)) return target;
    makePrivateDir(this.#dir);
    const temp = `${target}.${process.pid}.tmp`;
    try {
      await sharp(source, { limitInputPixels: MAX_INPUT_PIXELS, animated: false })
        .rotate()
        .resize({
          width: THUMBNAIL_MAX_PX,
          height: THUMBNAIL_MAX_PX,
          fit: 'inside',
          withoutEnlargement: true,
        })
        .webp({ quality: 75 })
        .toFile(temp);
      // Owner-only before it gets its name (sharp creates files with the umask's mode).
      await chmod(temp, PRIVATE_FILE_MODE);
      await rename(temp, target);
      return target;
    } catch {
      await unlink(temp).catch(() => undefined);
      return null;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
