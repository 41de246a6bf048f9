/**
 * Avatars: a profile picture uploaded over tus with `purpose: avatar` and no thread. Once the
 * bytes are in, the server keeps a 300×300 cover-cropped WebP of it under `<dataDir>/avatars` and
 * deletes the upload; the user row records when and which version (the ETag). Unfinished avatar
 * uploads are tracked in memory only — one per user, a newer one replacing it — so a restart
 * forgets them (`UploadService.recover` removes their bytes) and the client starts again.
 */
import { chmod, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import sharp from 'sharp';
import {
  AVATAR_MAX_BYTES,
  AVATAR_SIZE_PX,
  AVATAR_TYPES,
  isId,
  normalizeMimeType,
  tables,
  type UploadId,
  type UserId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../storage/file-modes.js';
import { inspectFile } from './inspect.js';
import type { UploadBytes } from './upload-bytes.js';

export const AVATAR_TYPE = 'image/webp';
/** Images with more pixels than this are not decoded (decompression bombs). */
const MAX_INPUT_PIXELS = 100_000_000;
const { memberships, users } = tables;
const ALLOWED: ReadonlySet<string> = new Set(AVATAR_TYPES);
const TYPES_TEXT = 'a PNG, JPEG, WebP, GIF or AVIF image';

export interface AvatarInfo {
  version: number;
  updatedAt: number;
}

interface Pending {
  userId: UserId;
  expiresAt: number;
}

export class Avatars {
  readonly #db: Db;
  readonly #bytes: UploadBytes;
  readonly #dir: string;
  readonly #expiryMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #pending = new Map<UploadId, Pending>();

  constructor(deps: {
    db: Db;
    bytes: UploadBytes;
    dir: string;
    expiryMs: number;
    logger: Logger;
    now?: () => number;
  }) {
    this.#db = deps.db;
    this.#bytes = deps.bytes;
    this.#dir = deps.dir;
    this.#expiryMs = deps.expiryMs;
    this.#logger = deps.logger;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * Admits an avatar upload (tus creation): a declared length up to {@link AVATAR_MAX_BYTES} and,
   * if a type is declared, one an avatar may have. A user's earlier unfinished one is dropped.
   */
  async begin(userId: UserId, id: UploadId, filetype: string | null, size: number | null): Promise<void> {
    if (size === null) throw new ApiError('bad-request', 'an avatar upload needs its length up front');
    if (size > AVATAR_MAX_BYTES) {
      throw new ApiError('payload-too-large', `an avatar is at most ${AVATAR_MAX_BYTES} bytes`);
    }
    const type = normalizeMimeType(filetype);
    if (type !== null && !ALLOWED.has(type)) {
      throw new ApiError('unsupported-file-type', `an avatar must be ${TYPES_TEXT}, not ${type}`);
    }
    for (const [other, p] of this.#pending) {
      if (p.userId === userId) await this.abandon(other);
    }
    this.#pending.set(id, { userId, expiresAt: this.#now() + this.#expiryMs });
  }

  /** Whether `id` is an unfinished avatar upload of `userId` (so tus may continue it). */
  owns(userId: UserId, id: UploadId): boolean {
    const p = this.#pending.get(id);
    if (!p || p.userId !== userId) return false;
    if (p.expiresAt <= this.#now()) throw new ApiError('gone', 'upload expired');
    return true;
  }

  isAvatarUpload(id: UploadId): boolean {
    return this.#pending.has(id);
  }

  /** Forgets an unfinished avatar upload and its bytes. */
  async abandon(id: UploadId): Promise<void> {
    if (!this.#pending.delete(id)) return;
    await this.#bytes.remove(id);
  }

  /**
   * The bytes are all in: checks they are an allowed image, stores the 300×300 version, records it
   * on the user and removes the upload. Refused bytes are removed too.
   */
  async finish(id: UploadId): Promise<AvatarInfo> {
    const p = this.#pending.get(id);
    if (!p) throw new ApiError('not-found', 'upload not found');
    this.#pending.delete(id);
    const source = this.#bytes.localPath(id);
    try {
      const inspection = await inspectFile(source, null, 'avatar', null);
      if (!inspection.ok || !ALLOWED.has(inspection.type)) {
        throw new ApiError('unsupported-file-type', `an avatar must be ${TYPES_TEXT}`);
      }
      await this.#store(p.userId, source);
    } finally {
      await this.#bytes.remove(id);
    }
    const updatedAt = this.#now();
    const row = this.#db
      .update(users)
      .set({ avatarVersion: sql`${users.avatarVersion} + 1`, avatarUpdatedAt: updatedAt })
      .where(eq(users.id, p.userId))
      .returning({ version: users.avatarVersion })
      .get();
    this.#logger.info({ user: p.userId, upload: id }, 'avatar stored');
    return { version: row?.version ?? 0, updatedAt };
  }

  async #store(userId: UserId, source: string): Promise<void> {
    makePrivateDir(this.#dir);
    const target = this.path(userId);
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await sharp(source, { limitInputPixels: MAX_INPUT_PIXELS, animated: false })
        .rotate()
        .resize(AVATAR_SIZE_PX, AVATAR_SIZE_PX, { fit: 'cover' })
        .webp({ quality: 82 })
        .toFile(temp);
      // Owner-only before it gets its name (sharp creates files with the umask's mode).
      await chmod(temp, PRIVATE_FILE_MODE);
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      if (err instanceof ApiError) throw err;
      this.#logger.info({ err, user: userId }, 'avatar could not be decoded');
      throw new ApiError(
        'unsupported-file-type',
        `this image could not be decoded; an avatar must be ${TYPES_TEXT}`,
      );
    }
  }

  /** Where user `userId`'s avatar is kept. */
  path(userId: UserId): string {
    if (!isId(userId)) throw new Error(`not a user id: ${JSON.stringify(userId)}`);
    return join(this.#dir, `${userId}.webp`);
  }

  /** The user's avatar, or null without one. */
  info(userId: UserId): AvatarInfo | null {
    const row = this.#db
      .select({ version: users.avatarVersion, updatedAt: users.avatarUpdatedAt })
      .from(users)
      .where(eq(users.id, userId))
      .get();
    return row && row.updatedAt !== null ? { version: row.version, updatedAt: row.updatedAt } : null;
  }

  /**
   * User `target`'s avatar as `viewer` may see it: their own, or of someone they share a
   * workspace with; `not-found` otherwise, and for a user without one.
   */
  async readable(viewer: UserId, target: UserId): Promise<{ path: string; info: AvatarInfo }> {
    const info = viewer === target || this.#shareWorkspace(viewer, target) ? this.info(target) : null;
    const path = this.path(target);
    if (!info || !(await exists(path))) throw new ApiError('not-found', 'no avatar');
    return { path, info };
  }

  /** Removes the user's avatar (nothing to do without one). */
  async remove(userId: UserId): Promise<void> {
    await unlink(this.path(userId)).catch(() => undefined);
    this.#db
      .update(users)
      .set({ avatarVersion: sql`${users.avatarVersion} + 1`, avatarUpdatedAt: null })
      .where(eq(users.id, userId))
      .run();
  }

  #shareWorkspace(a: UserId, b: UserId): boolean {
    const theirs = this.#db
      .select({ id: memberships.workspaceId })
      .from(memberships)
      .where(eq(memberships.userId, b));
    const row = this.#db
      .select({ id: memberships.workspaceId })
      .from(memberships)
      .where(and(eq(memberships.userId, a), inArray(memberships.workspaceId, theirs)))
      .limit(1)
      .get();
    return row !== undefined;
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
