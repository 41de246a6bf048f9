import * as z from 'zod/mini';
import type { ThreadId, UserId, WorkspaceId } from '../ids.js';
import { idOf, MAX_TEXT_CHARS, optionalText, trimmedText } from './common.js';

/** Who sees a thread: every member of its workspace, or only the thread's own members. */
export const THREAD_VISIBILITIES = ['workspace', 'private'] as const;
export type ThreadVisibility = (typeof THREAD_VISIBILITIES)[number];

/** Most members one `thread.create` may name; more join through `thread.addMember`. */
export const MAX_THREAD_MEMBER_IDS = 100;

/** A list of user ids, distinct and sorted, so the same people make the same content. */
export const userIdSet = (min: number, max: number) =>
  z.pipe(
    z.array(idOf<UserId>()).check(z.minLength(min), z.maxLength(max)),
    z.transform((ids) => [...new Set(ids)].sort()),
  );

/**
 * `thread.create`: editors and up; `threadId` is made by the client so it can link offline. A
 * private thread is seen by its members only: `memberIds` (members of the workspace) and the
 * creator, who is always one. `visibility: 'workspace'` is the default and is not stored in the
 * normalized arguments, so both spellings are the same intent.
 */
const threadCreateFields = z
  .object({
    threadId: idOf<ThreadId>(),
    workspaceId: idOf<WorkspaceId>(),
    title: trimmedText(MAX_TEXT_CHARS),
    intent: z.optional(optionalText(MAX_TEXT_CHARS)),
    visibility: z.optional(z.enum(THREAD_VISIBILITIES)),
    memberIds: z.optional(userIdSet(0, MAX_THREAD_MEMBER_IDS)),
  })
  .check(
    z.refine((args) => args.memberIds === undefined || args.visibility === 'private', {
      message: 'only private threads have members (add visibility: "private")',
      path: ['memberIds'],
    }),
  );

type ThreadCreateFields = z.output<typeof threadCreateFields>;
/** The normalized arguments: `visibility` only when the thread is private. */
export type ThreadCreateArgs = Omit<ThreadCreateFields, 'visibility'> & { visibility?: 'private' };

export const threadCreateArgs = z.pipe(
  threadCreateFields,
  z.transform(({ visibility, ...args }): ThreadCreateArgs =>
    visibility === 'private' ? { ...args, visibility } : args,
  ),
);

/** `thread.archive`: through a checkpoint; the archived thread becomes read-only for everyone. */
export const threadArchiveArgs = z.object({ threadId: idOf<ThreadId>() });

/** `thread.restore`: an archived thread becomes writable again. */
export const threadRestoreArgs = z.object({ threadId: idOf<ThreadId>() });
