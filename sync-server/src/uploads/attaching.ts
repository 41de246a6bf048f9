/**
 * Attaching finished files to their threads (DESIGN §7): the attach step every finished upload
 * goes through, and settling what a failed attachment or a crash left behind — retrying
 * attachments, finishing uploads whose bytes were all in, removing bytes no row refers to.
 */
import type { UploadId } from '@caucus/schema';
import type { Logger } from '../logger.js';
import type { ThreadAttachments } from './attachments.js';
import type { SerialQueue } from './serial-queue.js';
import type { UploadBytes } from './upload-bytes.js';
import { toFileInfo, type UploadRepo, type UploadRow } from './upload-repo.js';

/** What attaching and settling work with. */
export interface AttachDeps {
  repo: UploadRepo;
  bytes: UploadBytes;
  attachments: ThreadAttachments;
  queue: SerialQueue;
  logger: Logger;
  now: () => number;
}

/** Attaches a finished file to its thread unless it already is; nothing for an unfinished one. */
export async function ensureAttached(deps: AttachDeps, row: UploadRow): Promise<void> {
  if (row.attachedAt !== null) return;
  const info = toFileInfo(row);
  if (!info) return;
  await deps.attachments.attach(row.threadId, {
    id: info.id,
    name: info.name,
    size: info.size,
    type: info.type,
    sha256: info.sha256,
  });
  deps.repo.markAttached(row.id, deps.now());
}

/**
 * Attaches finished files whose attachment failed (the document could not be written), and with
 * `finish` also finishes uploads whose bytes are all in but that never finished.
 */
export async function settleUploads(
  deps: AttachDeps,
  finish: ((id: UploadId) => Promise<unknown>) | null,
): Promise<void> {
  for (const row of deps.repo.unsettled()) {
    try {
      if (row.status === 'complete') {
        await deps.queue.run(row.id, async () => {
          const current = deps.repo.get(row.id);
          if (current) await ensureAttached(deps, current);
        });
        continue;
      }
      if (!finish) continue;
      const progress = await deps.bytes.progress(row.id);
      if (progress && progress.size !== null && progress.offset === progress.size) await finish(row.id);
    } catch (err) {
      deps.logger.warn({ err, upload: row.id }, 'settling an upload failed');
    }
  }
}

/**
 * After a restart: finishes uploads whose bytes were all in when the server stopped, attaches
 * finished files that were not attached yet, and removes bytes no row refers to.
 */
export async function recoverUploads(
  deps: AttachDeps,
  finish: (id: UploadId) => Promise<unknown>,
): Promise<void> {
  await settleUploads(deps, finish);
  const known = deps.repo.allIds();
  for (const id of await deps.bytes.list()) {
    if (!known.has(id)) await deps.bytes.remove(id as UploadId);
  }
}
