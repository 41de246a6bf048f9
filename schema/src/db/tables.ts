/**
 * The SQLite schema (drizzle). Times are milliseconds since the epoch. Governed state lives here
 * and is the truth; documents are its published view (DESIGN §2).
 */
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ApiTokenId, SessionId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import type { ThreadVisibility } from '../intents/thread-intents.js';
import type { Role } from '../roles.js';

export const users = sqliteTable('users', {
  id: text('id').$type<UserId>().primaryKey(),
  /** Lower-cased. */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: integer('created_at').notNull(),
  /**
   * When the address was proven to be the user's (signing up through an invitation sent to it);
   * null for a plain signup, whose address nobody has checked.
   */
  emailVerifiedAt: integer('email_verified_at'),
  /** Bumped whenever the avatar changes or goes (its ETag); 0 before the first one. */
  avatarVersion: integer('avatar_version').notNull().default(0),
  /** When the current avatar was stored; null without one. */
  avatarUpdatedAt: integer('avatar_updated_at'),
});

/**
 * Refresh tokens, one row per issued token. Every token of one login shares a `familyId` (the
 * session); presenting a used token again revokes the whole family (reuse detection).
 */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    familyId: text('family_id').$type<SessionId>().notNull(),
    userId: text('user_id').$type<UserId>().notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('refresh_tokens_family').on(t.familyId)],
);

/** Named long-lived tokens for headless scripts; only a hash of the secret is kept. */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').$type<ApiTokenId>().primaryKey(),
    userId: text('user_id').$type<UserId>().notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('api_tokens_user').on(t.userId)],
);

export const workspaces = sqliteTable('workspaces', {
  id: text('id').$type<WorkspaceId>().primaryKey(),
  name: text('name').notNull(),
  personal: integer('personal', { mode: 'boolean' }).notNull(),
  createdBy: text('created_by').$type<UserId>().notNull(),
  createdAt: integer('created_at').notNull(),
});

export const memberships = sqliteTable(
  'memberships',
  {
    workspaceId: text('workspace_id').$type<WorkspaceId>().notNull(),
    userId: text('user_id').$type<UserId>().notNull(),
    role: text('role').$type<Role>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('memberships_user').on(t.userId)],
);

export const THREAD_STATUSES = ['active', 'archived'] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

/**
 * Authoritative thread rows: existence, workspace, status and who sees it. Content lives in
 * `thread:<id>`. A private thread's members are `thread_members`; its visibility never changes.
 */
export const threads = sqliteTable(
  'threads',
  {
    id: text('id').$type<ThreadId>().primaryKey(),
    workspaceId: text('workspace_id').$type<WorkspaceId>().notNull(),
    title: text('title').notNull(),
    intent: text('intent'),
    status: text('status').$type<ThreadStatus>().notNull(),
    createdBy: text('created_by').$type<UserId>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    visibility: text('visibility').$type<ThreadVisibility>().notNull().default('workspace'),
    /**
     * A direct conversation's member set (`conversationKey`), unique per workspace; null for other
     * threads, and cleared when a member leaves (the set no longer names the thread).
     */
    conversationKey: text('conversation_key'),
  },
  (t) => [
    index('threads_workspace').on(t.workspaceId, t.updatedAt),
    uniqueIndex('threads_conversation').on(t.workspaceId, t.conversationKey),
  ],
);

/** The members of private threads (workspace threads have none: every workspace member sees them). */
export const threadMembers = sqliteTable(
  'thread_members',
  {
    threadId: text('thread_id').$type<ThreadId>().notNull(),
    userId: text('user_id').$type<UserId>().notNull(),
    addedBy: text('added_by').$type<UserId>().notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.userId] }), index('thread_members_user').on(t.userId)],
);

/** The update log: every accepted update, committed before it is broadcast or acknowledged. */
export const docUpdates = sqliteTable(
  'doc_updates',
  {
    doc: text('doc').notNull(),
    seq: integer('seq').notNull(),
    update: blob('update', { mode: 'buffer' }).notNull(),
    /** The user id that sent it, or `server`. */
    actor: text('actor').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.doc, t.seq] })],
);

/** A document's state folded from its log up to and including `upTo`. */
export const docSnapshots = sqliteTable('doc_snapshots', {
  doc: text('doc').primaryKey(),
  state: blob('state', { mode: 'buffer' }).notNull(),
  sv: blob('sv', { mode: 'buffer' }).notNull(),
  upTo: integer('up_to').notNull(),
  at: integer('at').notNull(),
});

/** Yjs clientIDs bound to the first user that wrote with them, per document (verified attribution). */
export const docClients = sqliteTable(
  'doc_clients',
  {
    doc: text('doc').notNull(),
    clientId: integer('client_id').notNull(),
    userId: text('user_id').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.doc, t.clientId] })],
);

export * from './uploads.js';

export * from './invitations.js';

export * from './governance.js';

export * from './receipts.js';

export * from './projection.js';

export * from './jobs.js';
