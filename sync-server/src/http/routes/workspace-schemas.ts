/**
 * Answers of the workspace and invitation routes (the fields clients rely on; more may come).
 */
import { z } from 'zod';
import { ROLES } from '@caucus/schema';
import { id, time } from '../responses.js';

export const workspaceSchema = z
  .looseObject({
    id,
    name: z.string(),
    personal: z.boolean(),
    role: z.enum(ROLES),
    createdAt: time,
  })
  .meta({ id: 'Workspace' });
export const workspaceListSchema = z.looseObject({ workspaces: z.array(workspaceSchema) });
export const workspaceDetailSchema = workspaceSchema.extend({
  members: z.array(
    z.looseObject({ userId: id, name: z.string(), email: z.string(), role: z.enum(ROLES), joinedAt: time }),
  ),
  invitations: z
    .array(
      z.looseObject({
        id,
        email: z.string(),
        role: z.enum(ROLES),
        invitedBy: id,
        invitedAt: time,
        expiresAt: time,
      }),
    )
    .optional()
    .describe('owners only: invitations not yet answered and not expired'),
});
export const addMemberResultSchema = z
  .looseObject({
    workspaceId: id,
    email: z.string(),
    role: z.enum(ROLES),
    status: z.literal('invited'),
    invitationId: id,
    expiresAt: time,
  })
  .describe('the same whether an account with that email exists or not');

export const invitationSchema = z
  .looseObject({
    id,
    workspace: z.looseObject({ id, name: z.string() }),
    invitedBy: z.looseObject({ id, name: z.string() }),
    email: z.string().describe('the invited address: only its account may accept'),
    role: z.enum(ROLES),
    expiresAt: time,
  })
  .meta({ id: 'Invitation' });
export const acceptedInvitationSchema = z.looseObject({
  workspaceId: id,
  role: z.enum(ROLES).describe('the role now held (an existing membership is kept as it is)'),
});
