import type { CheckpointId, DecisionId, ThreadId, UploadId, UserId, WorkspaceId } from './ids.js';
import type { DecisionState, DecisionStatus } from './policy/decision-machine.js';
import type { Role } from './roles.js';
import type { DeliveryChannel } from './intents/inbox-intents.js';

/**
 * Root types of a `thread:<id>` document. Clients write `meta`, `body` and `messages`;
 * `attachments` is written by the server only.
 */
export const THREAD_ROOTS = {
  meta: 'meta',
  body: 'body',
  messages: 'messages',
  attachments: 'attachments',
} as const;
export type ThreadRoot = (typeof THREAD_ROOTS)[keyof typeof THREAD_ROOTS];

/** Roots a client may write in a thread document. */
export const CLIENT_THREAD_ROOTS: ReadonlySet<string> = new Set([
  THREAD_ROOTS.meta,
  THREAD_ROOTS.body,
  THREAD_ROOTS.messages,
]);

/** `meta` Y.Map fields. */
export interface ThreadMeta {
  title: string;
  intent?: string;
}

/** One entry of the `messages` Y.Array, stored as a Y.Map with these plain fields. */
export interface ThreadMessage {
  id: string;
  author: UserId;
  text: string;
  /** Milliseconds since the epoch. */
  at: number;
  editedAt?: number;
}

/** One value of the `attachments` Y.Map, keyed by upload id. */
export interface ThreadAttachment {
  id: UploadId;
  name: string;
  size: number;
  type: string;
  sha256: string;
}

export const NOTIFICATION_KINDS = ['info', 'success', 'warning', 'error', 'checkpoint'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One notification: a value of an `inbox:<userId>` document's `notifications` Y.Map, keyed by its
 * id, stored as a plain object (marking it read replaces the value with one that has `readAt`).
 * `link` is an app path: `/threads/<id>`, `/decisions/<id>`, `/checkpoints/<id>` or `/workspaces/<id>`.
 */
export interface InboxNotification {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string;
  at: number;
  readAt?: number;
}

/** The actor recorded for updates the server writes itself (and the user its clientIDs are bound to). */
export const SERVER_ACTOR = 'server';

/**
 * Root types of an `inbox:<userId>` document (server-written; only its user reads it):
 * `notifications` Y.Map notification id → {@link InboxNotification} (the newest
 * {@link INBOX_DOC_LIMIT}; older ones stay in SQLite and `GET /api/inbox`), `prefs` Y.Map with
 * the fields of {@link InboxPrefs}, and what the user sees of private threads, which the shared
 * `workspace:` documents never hold: `threads` Y.Map thread id → `PrivateCatalogThread` (the
 * private threads they are in) and `decisions` Y.Map decision id → {@link PrivateDecisionEntry}
 * (the open decisions of those threads).
 */
export const INBOX_ROOTS = {
  notifications: 'notifications',
  prefs: 'prefs',
  threads: 'threads',
  decisions: 'decisions',
} as const;

/** Most notifications an inbox document carries. */
export const INBOX_DOC_LIMIT = 200;

/** The user's notification preferences (`prefs.set`): muted kinds are not delivered. */
export interface InboxPrefs {
  mutedKinds: NotificationKind[];
  /** Where each kind goes, defaults filled in (`DEFAULT_DELIVERY`). */
  delivery: Record<NotificationKind, DeliveryChannel>;
  /** The daily digest's local hour (0–23), or null for none. */
  digestHour: number | null;
  /** The IANA time zone of `digestHour`. */
  timeZone: string;
}

/**
 * Root types of a `decision:<id>` document (server-written; members of its workspace read it):
 * `decision` Y.Map with the plain fields of {@link DecisionDocFields}, and `history` Y.Array of
 * `DecisionHistoryEntry` plain objects, oldest first (append-only).
 */
export const DECISION_ROOTS = { decision: 'decision', history: 'history' } as const;

/** The `decision` map: the decision's state, and the checkpoint waiting on it, if any. */
export type DecisionDocFields = Omit<DecisionState, 'history'> & {
  pendingCheckpointId: CheckpointId | null;
};

/**
 * Root types of a `workspace:<id>` document (server-written; members read it) that governance
 * writes: `members` Y.Map user id → {@link WorkspaceMemberEntry}, and `decisions` Y.Map decision
 * id → {@link WorkspaceDecisionEntry} holding the open decisions of its workspace threads only
 * (those of private threads are in their members' inboxes). (The thread catalog is a `threads` map
 * of its own.)
 */
export const WORKSPACE_ROOTS = { members: 'members', decisions: 'decisions' } as const;

export interface WorkspaceMemberEntry {
  userId: UserId;
  name: string;
  role: Role;
}

/** An open decision of a private thread, in its members' `inbox:` documents. */
export interface PrivateDecisionEntry extends WorkspaceDecisionEntry {
  workspaceId: WorkspaceId;
}

export interface WorkspaceDecisionEntry {
  id: DecisionId;
  threadId: ThreadId;
  title: string;
  status: DecisionStatus;
  requiredApprovals: number;
  /** How many approvals it has in this round. */
  approvals: number;
  dueAt: number | null;
  openedAt: number;
  updatedAt: number;
  pendingCheckpointId: CheckpointId | null;
}
