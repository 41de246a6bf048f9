/**
 * Governance tables (DESIGN §4, §6): decisions, checkpoints, intents, the audit log, notifications
 * and preferences. Authoritative; the `decision:`, `inbox:` and `workspace:` documents are their
 * published view, rebuilt from here at start.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { NotificationKind } from '../docs.js';
import type { DeliveryPrefs } from '../intents/inbox-intents.js';
import type {
  CheckpointId,
  DecisionId,
  IntentId,
  NotificationId,
  ThreadId,
  UserId,
  WorkspaceId,
} from '../ids.js';
import type { Intent, IntentType } from '../intents/intent.js';
import type { CheckpointStatus, CheckpointTarget } from '../policy/checkpoint-machine.js';
import type { DecisionHistoryEntry, DecisionStatus } from '../policy/decision-machine.js';
import type { Verdict } from '../policy/verdict.js';

export const decisions = sqliteTable(
  'decisions',
  {
    id: text('id').$type<DecisionId>().primaryKey(),
    workspaceId: text('workspace_id').$type<WorkspaceId>().notNull(),
    threadId: text('thread_id').$type<ThreadId>().notNull(),
    title: text('title').notNull(),
    status: text('status').$type<DecisionStatus>().notNull(),
    options: text('options', { mode: 'json' }).$type<string[]>().notNull(),
    outcome: text('outcome'),
    requiredApprovals: integer('required_approvals').notNull(),
    dueAt: integer('due_at'),
    deferredUntil: integer('deferred_until'),
    deferReason: text('defer_reason'),
    proposedBy: text('proposed_by').$type<UserId>().notNull(),
    resolvedBy: text('resolved_by').$type<UserId>(),
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull(),
    openedAt: integer('opened_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    resolvedAt: integer('resolved_at'),
    /** Oldest first; append-only. */
    history: text('history', { mode: 'json' }).$type<DecisionHistoryEntry[]>().notNull(),
  },
  (t) => [
    index('decisions_workspace').on(t.workspaceId, t.status, t.openedAt),
    index('decisions_thread').on(t.threadId),
  ],
);

/** Approvals of a decision's current round; one per approver (distinct by the key). */
export const decisionApprovals = sqliteTable(
  'decision_approvals',
  {
    decisionId: text('decision_id').$type<DecisionId>().notNull(),
    userId: text('user_id').$type<UserId>().notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.decisionId, t.userId] })],
);

export const checkpoints = sqliteTable(
  'checkpoints',
  {
    id: text('id').$type<CheckpointId>().primaryKey(),
    workspaceId: text('workspace_id').$type<WorkspaceId>().notNull(),
    targetKind: text('target_kind').$type<CheckpointTarget['kind']>().notNull(),
    targetId: text('target_id').notNull(),
    /** The intent that waits, as submitted. */
    action: text('action', { mode: 'json' }).$type<Intent>().notNull(),
    requestedBy: text('requested_by').$type<UserId>().notNull(),
    requiredApprovals: integer('required_approvals').notNull(),
    status: text('status').$type<CheckpointStatus>().notNull(),
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull(),
    closedAt: integer('closed_at'),
    closedBy: text('closed_by').$type<UserId>(),
    reason: text('reason'),
  },
  (t) => [
    index('checkpoints_target').on(t.targetId, t.status),
    index('checkpoints_workspace').on(t.workspaceId, t.status),
  ],
);

/** One per approver (distinct by the key). */
export const checkpointApprovals = sqliteTable(
  'checkpoint_approvals',
  {
    checkpointId: text('checkpoint_id').$type<CheckpointId>().notNull(),
    userId: text('user_id').$type<UserId>().notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.checkpointId, t.userId] })],
);

/** Every adjudicated intent with its verdict: a retry with the same id gets the stored verdict. */
export const intents = sqliteTable(
  'intents',
  {
    id: text('id').$type<IntentId>().primaryKey(),
    actor: text('actor').$type<UserId>().notNull(),
    type: text('type').$type<IntentType>().notNull(),
    /** `intentContent(intent)`: type, normalized args and basis, canonical JSON. */
    content: text('content').notNull(),
    args: text('args', { mode: 'json' }).$type<Intent['args']>().notNull(),
    verdict: text('verdict', { mode: 'json' }).$type<Verdict>().notNull(),
    workspaceId: text('workspace_id').$type<WorkspaceId>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('intents_actor').on(t.actor, t.createdAt)],
);

/**
 * The audit log: one event per verdict, hash-chained. `hash` is the sha256 (hex) of the JSON array
 * `[seq, at, actor, workspaceId, intentId, type, intent, verdict, policyVersion, prevHash]` with
 * `intent` and `verdict` as the stored JSON text; the first event's `prevHash` is 64 zeros.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey(),
    at: integer('at').notNull(),
    actor: text('actor').$type<UserId>().notNull(),
    workspaceId: text('workspace_id').$type<WorkspaceId>(),
    intentId: text('intent_id'),
    type: text('type').notNull(),
    /** The intent as adjudicated (JSON text), or what could be read of a malformed one. */
    intent: text('intent').notNull(),
    /** The verdict (JSON text). */
    verdict: text('verdict').notNull(),
    status: text('status').$type<Verdict['status']>().notNull(),
    policyVersion: integer('policy_version').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /**
     * The private thread the event concerns (or would have created), if any: owners who are not
     * its members do not see the event. Not part of the hash (it is derived from the intent).
     */
    privateThreadId: text('private_thread_id').$type<ThreadId>(),
  },
  (t) => [index('audit_events_workspace').on(t.workspaceId, t.seq)],
);

export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').$type<NotificationId>().primaryKey(),
    userId: text('user_id').$type<UserId>().notNull(),
    kind: text('kind').$type<NotificationKind>().notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    link: text('link').notNull(),
    at: integer('at').notNull(),
    readAt: integer('read_at'),
    /** Delivered once per user and key (e.g. one mention per message). */
    dedupeKey: text('dedupe_key'),
  },
  (t) => [
    index('notifications_user').on(t.userId, t.at),
    uniqueIndex('notifications_dedupe').on(t.userId, t.dedupeKey),
  ],
);

export const prefs = sqliteTable('prefs', {
  userId: text('user_id').$type<UserId>().primaryKey(),
  mutedKinds: text('muted_kinds', { mode: 'json' }).$type<NotificationKind[]>().notNull(),
  /** Per kind: in-app, email, both, none; unset kinds follow `DEFAULT_DELIVERY`. */
  delivery: text('delivery', { mode: 'json' }).$type<DeliveryPrefs>().notNull().default({}),
  /** The local hour (0–23) of the daily digest, in `timeZone`; null: no digest. */
  digestHour: integer('digest_hour').default(8),
  /** An IANA time zone (`Europe/Berlin`), for the digest's hour. */
  timeZone: text('time_zone').notNull().default('UTC'),
  updatedAt: integer('updated_at').notNull(),
});

export const NOTICE_KINDS = ['info', 'warning', 'error'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * System notices an instance admin posts (planned maintenance, an incident, a new version): to
 * every user or to one workspace's members, as an inbox notification when `startsAt` comes (a job
 * on the queue) and as a banner while current (`startsAt` ≤ now < `endsAt`).
 */
export const notices = sqliteTable(
  'notices',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<NoticeKind>().notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** Null: every user of the instance. */
    workspaceId: text('workspace_id').$type<WorkspaceId>(),
    startsAt: integer('starts_at').notNull(),
    /** Null: current until withdrawn. */
    endsAt: integer('ends_at'),
    createdBy: text('created_by').$type<UserId>().notNull(),
    createdAt: integer('created_at').notNull(),
    /** When its notifications went out (the job ran); null until then. */
    deliveredAt: integer('delivered_at'),
    /** Withdrawn by an admin: no banner, and no notification if not yet delivered. */
    withdrawnAt: integer('withdrawn_at'),
  },
  (t) => [index('notices_current').on(t.startsAt)],
);
