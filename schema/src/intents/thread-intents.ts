import { z } from 'zod';
import type { ThreadId, WorkspaceId } from '../ids.js';
import { idOf, MAX_TEXT_CHARS, trimmedText } from './common.js';

/** `thread.create`: editors and up; `threadId` is made by the client so it can link offline. */
export const threadCreateArgs = z.object({
  threadId: idOf<ThreadId>(),
  workspaceId: idOf<WorkspaceId>(),
  title: trimmedText(MAX_TEXT_CHARS),
  intent: z.string().trim().max(MAX_TEXT_CHARS).optional(),
});

/** `thread.archive`: through a checkpoint; the archived thread becomes read-only for everyone. */
export const threadArchiveArgs = z.object({ threadId: idOf<ThreadId>() });

/** `thread.restore`: an archived thread becomes writable again. */
export const threadRestoreArgs = z.object({ threadId: idOf<ThreadId>() });
