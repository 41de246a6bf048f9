/**
 * Invitations to a workspace (`member.invite`): a token the invitee accepts or declines. Only a
 * hash of the token is kept; the token itself goes to the address by mail and, when an account
 * with that address exists, to its inbox.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { InvitationId, UserId, WorkspaceId } from '../ids.js';
import type { Role } from '../roles.js';

export const INVITATION_STATUSES = [
  /** Waiting for the invitee, until `expiresAt`. */
  'pending',
  'accepted',
  'declined',
  /** A newer invitation of the same address to the same workspace replaced it. */
  'superseded',
] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export const invitations = sqliteTable(
  'invitations',
  {
    id: text('id').$type<InvitationId>().primaryKey(),
    workspaceId: text('workspace_id').$type<WorkspaceId>().notNull(),
    /** Lower-cased. */
    email: text('email').notNull(),
    role: text('role').$type<Role>().notNull(),
    invitedBy: text('invited_by').$type<UserId>().notNull(),
    /** sha256 (hex) of the token. */
    tokenHash: text('token_hash').notNull().unique(),
    status: text('status').$type<InvitationStatus>().notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    answeredAt: integer('answered_at'),
    /** Who accepted it (declining needs only the token). */
    answeredBy: text('answered_by').$type<UserId>(),
  },
  (t) => [
    index('invitations_workspace').on(t.workspaceId, t.status),
    index('invitations_email').on(t.email, t.status),
  ],
);
