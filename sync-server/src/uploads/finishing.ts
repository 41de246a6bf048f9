/**
 * Finishing an upload (the end of the tus lifecycle, DESIGN §7): verifying the bytes (sniffed type,
 * size, hash), refusing and discarding what is not allowed, recording the file, attaching it and
 * announcing it to the listeners.
 */
import type { FileInfo, UploadId, WorkspaceId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { UploadOutcome } from '../metrics.js';
import type { Db } from '../storage/db.js';
import { docAccess } from '../workspaces/access.js';
import { ensureAttached, type AttachDeps } from './attaching.js';
import { inspectFile } from './inspect.js';
import { toFileInfo, type UploadRow } from './upload-repo.js';

/** Emitted once a file is verified, recorded and attached: the hook for notifying thread members. */
export interface UploadFinished {
  file: FileInfo;
  workspaceId: WorkspaceId;
}

/** What finishing works with, beyond what attaching does. */
export interface FinishDeps extends AttachDeps {
  db: Db;
  count: (outcome: UploadOutcome, n?: number) => void;
  emitFinished: (event: UploadFinished) => void;
}

/**
 * Finishes an upload whose bytes are all in: sniffs and hashes them, refuses a type that is not
 * allowed or not what was declared (removing the bytes), records the file, attaches it to the
 * thread and tells the listeners. Idempotent: finishing a finished upload returns it again.
 * The caller runs it on the upload's queue.
 */
export async function finishUpload(deps: FinishDeps, id: UploadId): Promise<FileInfo> {
  const { repo, bytes } = deps;
  const row = repo.get(id);
  if (!row) throw new ApiError('not-found', 'upload not found');
  if (row.status === 'complete') {
    await ensureAttached(deps, row);
    return toFileInfo(row) as FileInfo;
  }
  if (docAccess(deps.db, row.userId, { kind: 'thread', id: row.threadId }) !== 'write') {
    await discard(deps, row, 'write access to the thread was lost');
    throw new ApiError('forbidden', 'uploading needs write access to the thread');
  }
  const progress = await bytes.progress(id);
  const known = progress ? bytes.takeDigest(id, progress.offset) : null;
  const inspection = await inspectFile(bytes.localPath(id), row.declaredType, row.name, known);
  if (!inspection.ok) {
    await discard(deps, row, inspection.reason);
    throw new ApiError('unsupported-file-type', inspection.reason);
  }
  const completedAt = deps.now();
  const fields = { type: inspection.type, size: inspection.size, sha256: inspection.sha256, completedAt };
  if (!repo.complete(id, fields)) throw new ApiError('not-found', 'upload not found');
  const done: UploadRow = { ...row, ...fields, status: 'complete' };
  await ensureAttached(deps, done);
  const file = toFileInfo(done) as FileInfo;
  const workspace = repo.threadWorkspace(row.threadId, row.userId);
  deps.logger.info({ upload: id, thread: row.threadId, size: file.size, type: file.type }, 'upload finished');
  deps.count('finished');
  if (workspace) deps.emitFinished({ file, workspaceId: workspace.workspaceId });
  return file;
}

async function discard(deps: FinishDeps, row: UploadRow, reason: string): Promise<void> {
  deps.logger.info({ upload: row.id, thread: row.threadId, reason }, 'upload refused');
  deps.count('refused');
  await deps.bytes.remove(row.id);
  deps.repo.delete(row.id);
}
