import * as z from 'zod/mini';
import type { UserId, WorkspaceId } from '../ids.js';
import { ROLES } from '../roles.js';
import { idOf, MAX_EMAIL_CHARS } from './common.js';

/**
 * `member.invite`: owners only. Makes an invitation the invitee accepts (or declines) with its
 * token; nobody joins without consent, and the verdict is the same whether an account with that
 * email exists or not. Emails compare lower-cased.
 */
export const memberInviteArgs = z.object({
  workspaceId: idOf<WorkspaceId>(),
  email: z.pipe(
    z.pipe(z.string().check(z.trim(), z.maxLength(MAX_EMAIL_CHARS)), z.email('not a valid email address')),
    z.transform((e) => e.toLowerCase()),
  ),
  role: z.enum(ROLES),
});

export const memberSetRoleArgs = z.object({
  workspaceId: idOf<WorkspaceId>(),
  userId: idOf<UserId>(),
  role: z.enum(ROLES),
});

/** Owners remove anyone; any member may remove themselves (leave). A workspace keeps one owner. */
export const memberRemoveArgs = z.object({
  workspaceId: idOf<WorkspaceId>(),
  userId: idOf<UserId>(),
});
