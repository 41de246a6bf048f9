/**
 * Who may see, read, list and delete uploads and files (DESIGN §7): the uploader's view of an
 * unfinished upload over tus, readable finished files and their thumbnails, a thread's file
 * list, and deleting an upload (detaching it from its thread).
 */
import type { FileInfo, ThreadId, UploadId, UserId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { docAccess } from '../workspaces/access.js';
import type { ThreadAttachments } from './attachments.js';
import type { Thumbnails } from './thumbnails.js';
import type { UploadBytes } from './upload-bytes.js';
import { toFileInfo, type FilePosition, type UploadRepo, type UploadRow } from './upload-repo.js';

/** What reading, listing and deleting files work with. */
export interface FileAccessDeps {
  db: Db;
  repo: UploadRepo;
  bytes: UploadBytes;
  attachments: ThreadAttachments;
  thumbnails: Thumbnails;
  logger: Logger;
  now: () => number;
}

/**
 * The unfinished-or-finished upload `id` as its uploader sees it over tus (HEAD, PATCH):
 * `not-found` for anyone else, `forbidden` for a PATCH without write access any more.
 */
export function uploadForUploader(
  deps: FileAccessDeps,
  userId: UserId,
  id: UploadId,
  op: 'status' | 'write',
): UploadRow {
  const row = deps.repo.get(id);
  if (!row || row.userId !== userId) throw new ApiError('not-found', 'upload not found');
  if (row.status === 'uploading' && row.expiresAt <= deps.now()) throw new ApiError('gone', 'upload expired');
  if (op === 'write' && row.status === 'uploading') {
    if (docAccess(deps.db, userId, { kind: 'thread', id: row.threadId }) !== 'write') {
      throw new ApiError('forbidden', 'uploading needs write access to the thread');
    }
    deps.repo.touch(id, deps.now());
  }
  return row;
}

/** A finished file `userId` may read, or null for one unfinished, unknown or not theirs to read. */
export function findReadableFile(deps: FileAccessDeps, userId: UserId, id: UploadId): FileInfo | null {
  const row = deps.repo.get(id);
  const info = row ? toFileInfo(row) : null;
  if (!row || !info || docAccess(deps.db, userId, { kind: 'thread', id: row.threadId }) === 'none')
    return null;
  return info;
}

/** {@link findReadableFile}, throwing `not-found` instead of returning null. */
export function readableFile(deps: FileAccessDeps, userId: UserId, id: UploadId): FileInfo {
  const info = findReadableFile(deps, userId, id);
  if (!info) throw new ApiError('not-found', 'file not found');
  return info;
}

/** The thumbnail of a readable image, or `not-found` when it has none. */
export async function fileThumbnail(deps: FileAccessDeps, userId: UserId, id: UploadId): Promise<string> {
  const info = readableFile(deps, userId, id);
  const path = info.type.startsWith('image/')
    ? await deps.thumbnails.get(id, deps.bytes.localPath(id))
    : null;
  if (path === null) throw new ApiError('not-found', 'this file has no thumbnail');
  return path;
}

/** Finished files of a thread `userId` can read; `not-found` for a thread they cannot see. */
export function listThreadFiles(
  deps: FileAccessDeps,
  userId: UserId,
  threadId: ThreadId,
  options: { limit?: number; after?: FilePosition },
): FileInfo[] {
  if (docAccess(deps.db, userId, { kind: 'thread', id: threadId }) === 'none') {
    throw new ApiError('not-found', 'thread not found');
  }
  return deps.repo.listComplete(threadId, options);
}

/**
 * Deletes an upload: the uploader (with write access to the thread) or an owner of its
 * workspace; a finished file is also removed from the thread's attachments. The caller runs it
 * on the upload's queue.
 */
export async function deleteUpload(deps: FileAccessDeps, userId: UserId, id: UploadId): Promise<void> {
  const row = deps.repo.get(id);
  const access = row ? docAccess(deps.db, userId, { kind: 'thread', id: row.threadId }) : 'none';
  const visible = row && (row.userId === userId || (row.status === 'complete' && access !== 'none'));
  if (!row || !visible) throw new ApiError('not-found', 'upload not found');
  const owner = deps.repo.threadWorkspace(row.threadId, userId)?.role === 'owner';
  const uploaderMayWrite = row.userId === userId && access === 'write';
  if (!owner && !uploaderMayWrite) {
    throw new ApiError(
      'forbidden',
      'only the uploader (with write access) or a workspace owner may delete a file',
    );
  }
  if (row.status === 'complete' && row.attachedAt !== null) await deps.attachments.detach(row.threadId, id);
  deps.repo.delete(id);
  await deps.bytes.remove(id);
  await deps.thumbnails.remove(id);
  deps.logger.info({ upload: id, thread: row.threadId, by: userId }, 'upload deleted');
}
