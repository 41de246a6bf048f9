/**
 * Governance: intents adjudicated against the policy, decisions, checkpoints, notifications and
 * the audit log — and the published documents that show them. The one object other modules use:
 * `submit` for intents, `notify`/`notifyThreadMembers` for notifications. It wires the parts and
 * delegates: submitting intents `intent-submission.ts`, announcing and publishing what changed
 * `change-propagation.ts`, mention notifications `mention-notifications.ts`, the stored reads
 * `queries.ts` and `audit.ts`.
 */
import {
  newId,
  roleAtLeast,
  type CheckpointId,
  type CheckpointState,
  type DecisionId,
  type InboxNotification,
  type IntentId,
  type IntentType,
  type IntentArgsInput,
  type ReceiptKey,
  type ThreadId,
  type UserId,
  type Verdict,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { ReceiptIssuer } from '../receipts/issuer.js';
import { MemoryReceiptKeyring, type ReceiptKeyring } from '../receipts/keyring.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';
import type { CommittedEvent } from '../sync/hooks.js';
import type { ThreadService } from '../workspaces/thread-service.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import { listAudit, type AuditEventView } from './audit.js';
import { ChangePropagation, type AccessChanged } from './change-propagation.js';
import { Changes } from './changes.js';
import type { EffectContext } from './effect-context.js';
import type { InvitationSender } from './invitation-sender.js';
import { IntentEngine, type AdjudicatedResult } from './intent-engine.js';
import { submitIntents, type IntentSubmissionDeps } from './intent-submission.js';
import { notifyMentions } from './mention-notifications.js';
import { Notifier, type EmailQueue, type InboxListOptions, type NewNotification } from './notifier.js';
import type { DocWriter } from '../sync/doc-writer.js';
import { Publisher } from './publisher.js';
import {
  getCheckpoint,
  getDecision,
  getIntent,
  listDecisions,
  type DecisionDetail,
  type DecisionSummary,
  type ListDecisionsInput,
  type StoredIntent,
} from './queries.js';
import { DEFAULT_REMINDERS, type JobScheduler, type ReminderSettings } from './reminders.js';
import { SqliteJobStore } from '../jobs/sqlite-job-store.js';
import { DEFAULT_INTENT_RATE, IntentRateLimiter, type IntentRate } from './rate-limit.js';
import { threadAudience } from '../workspaces/thread-members.js';
import { roleOf } from './reads.js';

/** What governance needs of the sync hub: server-side writes, and committed thread updates. */
export interface GovernanceHub extends DocWriter {
  onCommitted(listener: (event: CommittedEvent) => void): () => void;
}

export interface GovernanceOptions {
  db: Db;
  workspaces: WorkspaceService;
  threads: ThreadService;
  /** Without a hub nothing is published and mentions are not watched (HTTP-only tests). */
  hub?: GovernanceHub;
  logger?: Logger;
  now?: () => number;
  rate?: IntentRate;
  /** The keys that sign verdict receipts; without one, an ephemeral key (tests). */
  receiptKeys?: ReceiptKeyring;
  /** Counts verdicts by intent type and status. */
  metrics?: Pick<Metrics, 'intentVerdicts'>;
  /** Where invitations go by mail; none until SMTP is configured. */
  invitationSender?: InvitationSender;
  /** The job queue effects enqueue into (same database); one on `db` with `now` by default. */
  jobs?: JobScheduler;
  /** When reminders and escalations fall; {@link DEFAULT_REMINDERS} by default. */
  reminders?: Partial<ReminderSettings>;
  /** Where notifications go by email (SMTP configured); without one nothing is queued for email. */
  email?: EmailQueue;
}

export type { AccessChanged } from './change-propagation.js';

export interface NotifyOptions {
  /** Not notified (usually the user who caused it). */
  except?: UserId;
}

export class GovernanceService {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #receipts: ReceiptIssuer;
  readonly #ctx: EffectContext;
  readonly #notifier: Notifier;
  readonly #propagation: ChangePropagation;
  readonly #submission: IntentSubmissionDeps;

  constructor(options: GovernanceOptions) {
    const { db, hub } = options;
    this.#db = db;
    this.#now = options.now ?? Date.now;
    const logger = options.logger ?? createLogger('error');
    this.#notifier = new Notifier(db, this.#now, options.email ?? null);
    this.#receipts = new ReceiptIssuer(db, options.receiptKeys ?? new MemoryReceiptKeyring());
    this.#ctx = {
      db,
      now: this.#now,
      notifier: this.#notifier,
      jobs: options.jobs ?? new SqliteJobStore(db, this.#now),
      reminders: { ...DEFAULT_REMINDERS, ...options.reminders },
    };
    this.#propagation = new ChangePropagation({
      workspaces: options.workspaces,
      threads: options.threads,
      publisher: hub ? new Publisher(db, hub, logger) : null,
      invitationSender: options.invitationSender ?? null,
      logger,
    });
    this.#submission = {
      engine: new IntentEngine(this.#ctx, this.#receipts),
      limiter: new IntentRateLimiter(options.rate ?? DEFAULT_INTENT_RATE),
      propagation: this.#propagation,
      now: this.#now,
      metrics: options.metrics,
    };
    // Memberships changed outside intents too (signup, new workspaces): the member lists follow.
    options.workspaces.onMembershipChanged(({ workspaceId }) => {
      const changes = new Changes();
      changes.workspaces.add(workspaceId);
      void this.#publish(changes);
    });
    const mentions = { db, notifier: this.#notifier, logger, publish: (c: Changes) => this.#publish(c) };
    hub?.onCommitted((event) => {
      if (event.ref.kind === 'thread') notifyMentions(mentions, event.ref.id, event);
    });
  }

  /** Listens for users whose document access changed (connections re-authorize). */
  onAccessChanged(listener: (e: AccessChanged) => void): () => void {
    return this.#propagation.onAccessChanged(listener);
  }

  /**
   * Adjudicates `intents` in order, each in its own transaction, as `actor` (from the token).
   * Resolves once the documents they changed are published. Throws `rate-limited` (nothing
   * adjudicated) when the user's bucket cannot take the whole batch.
   */
  submit(actor: UserId, intents: readonly unknown[]): Promise<AdjudicatedResult[]> {
    return submitIntents(this.#submission, actor, intents);
  }

  /** Runs one intent made here (REST routes that are intents underneath) and returns its verdict. */
  async perform<T extends IntentType>(actor: UserId, type: T, args: IntentArgsInput<T>): Promise<Verdict> {
    const [result] = await this.submit(actor, [{ id: newId<IntentId>(this.#now()), type, args }]);
    if (!result) throw new Error('no verdict');
    const { id: _id, receipt: _receipt, ...verdict } = result;
    return verdict;
  }

  /**
   * Runs governance effects that are not an intent (an invitation answered) in one transaction,
   * then announces and publishes what they changed. Errors thrown by `effect` roll it all back.
   */
  async apply<T>(effect: (ctx: EffectContext, changes: Changes) => T): Promise<T> {
    const changes = new Changes();
    const value = this.#db.transaction(() => effect(this.#ctx, changes));
    this.#announce(changes);
    await this.#publish(changes);
    return value;
  }

  /**
   * The same inside a transaction the caller runs (signup through an invitation): `committed`
   * announces and publishes, to be called once that transaction has committed.
   */
  join<T>(effect: (ctx: EffectContext, changes: Changes) => T): { value: T; committed: () => Promise<void> } {
    const changes = new Changes();
    const value = effect(this.#ctx, changes);
    return {
      value,
      committed: () => {
        this.#announce(changes);
        return this.#publish(changes);
      },
    };
  }

  /** An intent the caller submitted, with its receipts. */
  getIntent(actor: UserId, id: IntentId): StoredIntent {
    const stored = getIntent(this.#db, actor, id);
    const receipt = this.#receipts.stored(id, 'verdict');
    if (receipt) stored.receipt = receipt;
    const outcome = this.#receipts.stored(id, 'outcome');
    if (outcome) stored.outcome = { verdict: outcome.payload.verdict, receipt: outcome };
    return stored;
  }

  /** The public keys that check receipts, retired ones included (public: `GET /api/receipts/keys`). */
  receiptKeys(): ReceiptKey[] {
    return this.#receipts.publicKeys();
  }

  listDecisions(actor: UserId, input: ListDecisionsInput): DecisionSummary[] {
    return listDecisions(this.#db, actor, input, this.#now());
  }

  getDecision(actor: UserId, id: DecisionId): DecisionDetail {
    return getDecision(this.#db, actor, id, this.#now());
  }

  getCheckpoint(actor: UserId, id: CheckpointId): CheckpointState {
    return getCheckpoint(this.#db, actor, id);
  }

  inbox(actor: UserId, options: InboxListOptions = {}): InboxNotification[] {
    return this.#notifier.list(actor, options);
  }

  /** {@link inbox} with each notification's position, for keyset pages. */
  inboxWithPositions(actor: UserId, options: InboxListOptions = {}) {
    return this.#notifier.listWithPositions(actor, options);
  }

  /**
   * A workspace's audit events; owners only (`forbidden`), members only (`not-found`). Events of
   * a private thread are listed only to owners who are its members.
   */
  audit(
    actor: UserId,
    workspaceId: WorkspaceId,
    options: { after?: number; limit?: number } = {},
  ): AuditEventView[] {
    const role = roleOf(this.#db, actor, workspaceId);
    if (role === null) throw new ApiError('not-found', 'workspace not found');
    if (!roleAtLeast(role, 'owner')) throw new ApiError('forbidden', 'only owners read the audit log');
    return listAudit(this.#db, workspaceId, actor, options);
  }

  /**
   * Delivers a notification to each user (unless they muted its kind, or already got one with the
   * same `dedupeKey`). Resolves with who got it, once their inbox documents are published.
   */
  async notify(userIds: readonly UserId[], notification: NewNotification): Promise<UserId[]> {
    const changes = new Changes();
    const delivered = this.#db.transaction(() => this.#notifier.deliver(userIds, notification, changes));
    await this.#publish(changes);
    return delivered;
  }

  /**
   * Notifies everyone who sees the thread (but `except`) — its workspace's members, or a private
   * thread's own — e.g. when a file lands in it. Resolves with who got it; an unknown thread
   * notifies nobody.
   */
  async notifyThreadMembers(
    threadId: ThreadId,
    notification: NewNotification,
    options: NotifyOptions = {},
  ): Promise<UserId[]> {
    const members = threadAudience(this.#db, threadId).filter((id) => id !== options.except);
    return this.notify(members, { ...notification, about: threadId });
  }

  /** Publishes every governed document from SQLite (call at start, before serving). */
  async rebuild(): Promise<void> {
    await this.#propagation.rebuild();
  }

  /** Resolves once every publish started so far has finished. */
  async idle(): Promise<void> {
    await this.#propagation.idle();
  }

  #announce(changes: Changes): void {
    this.#propagation.announce(changes);
  }

  #publish(changes: Changes): Promise<void> {
    return this.#propagation.publish(changes);
  }
}
