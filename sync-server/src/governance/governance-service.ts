/**
 * Governance: intents adjudicated against the policy, decisions, checkpoints, notifications and
 * the audit log — and the published documents that show them. The one object other modules use:
 * `submit` for intents, `notify`/`notifyThreadMembers` for notifications.
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
import { Listeners } from '../listeners.js';
import { createLogger, type Logger } from '../logger.js';
import { ReceiptIssuer } from '../receipts/issuer.js';
import { MemoryReceiptKeyring, type ReceiptKeyring } from '../receipts/keyring.js';
import type { Db } from '../storage/db.js';
import type { CommittedEvent } from '../sync/hub.js';
import type { ThreadService } from '../workspaces/thread-service.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import { listAudit, type AuditEventView } from './audit.js';
import { Changes } from './changes.js';
import { quote, threadTitleOf, userName } from './describe.js';
import { IntentEngine, type AdjudicatedResult } from './intent-engine.js';
import { mentionKey, touchedMessages } from './mentions.js';
import { Notifier, type NewNotification } from './notifier.js';
import { Publisher, type DocWriter } from './publisher.js';
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
import { DEFAULT_INTENT_RATE, IntentRateLimiter, type IntentRate } from './rate-limit.js';
import { membersOf, roleOf, threadView } from './state.js';

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
}

/** Users whose access to documents changed without a membership change (a thread archived). */
export interface AccessChanged {
  userIds: UserId[];
}

export interface NotifyOptions {
  /** Not notified (usually the user who caused it). */
  except?: UserId;
}

export class GovernanceService {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #workspaces: WorkspaceService;
  readonly #threads: ThreadService;
  readonly #engine: IntentEngine;
  readonly #receipts: ReceiptIssuer;
  readonly #notifier: Notifier;
  readonly #publisher: Publisher | null;
  readonly #limiter: IntentRateLimiter;
  readonly #accessChanged: Listeners<AccessChanged>;
  readonly #inflight = new Set<Promise<void>>();

  constructor(options: GovernanceOptions) {
    const { db, hub } = options;
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? createLogger('error');
    this.#workspaces = options.workspaces;
    this.#threads = options.threads;
    this.#notifier = new Notifier(db, this.#now);
    this.#receipts = new ReceiptIssuer(db, options.receiptKeys ?? new MemoryReceiptKeyring());
    this.#engine = new IntentEngine({ db, now: this.#now, notifier: this.#notifier }, this.#receipts);
    this.#publisher = hub ? new Publisher(db, hub, this.#logger) : null;
    this.#limiter = new IntentRateLimiter(options.rate ?? DEFAULT_INTENT_RATE);
    this.#accessChanged = new Listeners((err) => this.#logger.error({ err }, 'access listener failed'));
    // Memberships changed outside intents too (signup, new workspaces): the member lists follow.
    this.#workspaces.onMembershipChanged(({ workspaceId }) => {
      const changes = new Changes();
      changes.workspaces.add(workspaceId);
      void this.#publish(changes);
    });
    hub?.onCommitted((event) => {
      if (event.ref.kind === 'thread') this.#notifyMentions(event.ref.id, event);
    });
  }

  /** Listens for users whose document access changed (connections re-authorize). */
  onAccessChanged(listener: (e: AccessChanged) => void): () => void {
    return this.#accessChanged.add(listener);
  }

  /**
   * Adjudicates `intents` in order, each in its own transaction, as `actor` (from the token).
   * Resolves once the documents they changed are published. Throws `rate-limited` (nothing
   * adjudicated) when the user's bucket cannot take the whole batch.
   */
  async submit(actor: UserId, intents: readonly unknown[]): Promise<AdjudicatedResult[]> {
    const now = this.#now();
    if (!this.#limiter.take(actor, intents.length, now)) {
      const wait = this.#limiter.waitSeconds(actor, intents.length, now);
      throw new ApiError(
        'rate-limited',
        Number.isFinite(wait) ? `too many intents; retry in ${wait} s` : 'too many intents in one batch',
      );
    }
    const all = new Changes();
    const results: AdjudicatedResult[] = [];
    try {
      for (const raw of intents) {
        const { result, changes } = this.#engine.adjudicate(actor, raw);
        this.#announce(changes);
        all.add(changes);
        results.push(result);
      }
    } finally {
      await this.#publish(all);
    }
    return results;
  }

  /** Runs one intent made here (REST routes that are intents underneath) and returns its verdict. */
  async perform<T extends IntentType>(actor: UserId, type: T, args: IntentArgsInput<T>): Promise<Verdict> {
    const [result] = await this.submit(actor, [{ id: newId<IntentId>(this.#now()), type, args }]);
    if (!result) throw new Error('no verdict');
    const { id: _id, receipt: _receipt, ...verdict } = result;
    return verdict;
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

  inbox(actor: UserId, options: { unread?: boolean; limit?: number } = {}): InboxNotification[] {
    return this.#notifier.list(actor, options);
  }

  /** A workspace's audit events; owners only (`forbidden`), members only (`not-found`). */
  audit(
    actor: UserId,
    workspaceId: WorkspaceId,
    options: { after?: number; limit?: number } = {},
  ): AuditEventView[] {
    const role = roleOf(this.#db, actor, workspaceId);
    if (role === null) throw new ApiError('not-found', 'workspace not found');
    if (!roleAtLeast(role, 'owner')) throw new ApiError('forbidden', 'only owners read the audit log');
    return listAudit(this.#db, workspaceId, options);
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
   * Notifies every member of the thread's workspace (but `except`), e.g. when a file lands in the
   * thread. Resolves with who got it; an unknown thread notifies nobody.
   */
  async notifyThreadMembers(
    threadId: ThreadId,
    notification: NewNotification,
    options: NotifyOptions = {},
  ): Promise<UserId[]> {
    const thread = threadView(this.#db, threadId);
    if (!thread) return [];
    const members = membersOf(this.#db, thread.workspaceId).filter((id) => id !== options.except);
    return this.notify(members, notification);
  }

  /** Publishes every governed document from SQLite (call at start, before serving). */
  async rebuild(): Promise<void> {
    await this.#publisher?.rebuildAll();
  }

  /** Resolves once every publish started so far has finished. */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  #announce(changes: Changes): void {
    for (const e of changes.threadsCreated) this.#threads.announceCreated(e);
    for (const change of changes.memberships) this.#workspaces.announceMembershipChange(change);
    if (changes.accessChanged.size > 0) this.#accessChanged.emit({ userIds: [...changes.accessChanged] });
  }

  #publish(changes: Changes): Promise<void> {
    if (!this.#publisher || changes.empty) return Promise.resolve();
    const job = this.#publisher.publish(changes).finally(() => this.#inflight.delete(job));
    this.#inflight.add(job);
    return job;
  }

  #notifyMentions(threadId: ThreadId, event: CommittedEvent): void {
    try {
      const messages = touchedMessages(event.ydoc, event.entries);
      if (messages.length === 0) return;
      const thread = threadView(this.#db, threadId);
      if (!thread) return;
      const members = new Set(membersOf(this.#db, thread.workspaceId));
      const changes = new Changes();
      this.#db.transaction(() => {
        const title = threadTitleOf(this.#db, threadId);
        for (const m of messages) {
          this.#notifier.deliver(
            m.mentioned.filter((id) => members.has(id)),
            {
              kind: 'info',
              title: `${userName(this.#db, m.author)} mentioned you in ${quote(title)}`,
              body: m.text,
              link: `/threads/${threadId}`,
              dedupeKey: mentionKey(threadId, m.messageId),
            },
            changes,
          );
        }
      });
      void this.#publish(changes);
    } catch (err) {
      this.#logger.error({ err, thread: threadId }, 'mention notifications failed');
    }
  }
}
