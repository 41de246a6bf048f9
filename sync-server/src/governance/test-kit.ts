/**
 * A governance service on an in-memory database with a fake hub that keeps published documents
 * as plain Y.Docs, for fast deterministic tests. (Not a test file itself; excluded from builds.)
 */
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import {
  newId,
  tables,
  type DocName,
  type DocRef,
  type IntentInput,
  type IntentId,
  type Role,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { createLogger } from '../logger.js';
import { openDb, type Db } from '../storage/db.js';
import type { AppendEntry } from '../storage/doc-store.js';
import type { CommittedEvent } from '../sync/hooks.js';
import { ThreadService } from '../workspaces/thread-service.js';
import { WorkspaceService, type MembershipChange } from '../workspaces/workspace-service.js';
import { GovernanceService, type GovernanceHub } from './governance-service.js';
import type { AdjudicatedResult } from './intent-engine.js';
import type { ReceiptKeyring } from '../receipts/keyring.js';
import { InvitationService } from './invitation-service.js';
import type { OutgoingInvitation } from './invitations.js';
import type { IntentRate } from './rate-limit.js';
import { SqliteJobStore } from '../jobs/sqlite-job-store.js';
import type { JobScheduler, ReminderSettings } from './reminders.js';

export class FakeHub implements GovernanceHub {
  readonly docs = new Map<DocName, Y.Doc>();
  readonly #committed = new Set<(e: CommittedEvent) => void>();

  transact(name: DocName, _ref: DocRef, change: (doc: Y.Doc) => void): Promise<void> {
    let doc = this.docs.get(name);
    if (!doc) {
      doc = new Y.Doc();
      this.docs.set(name, doc);
    }
    doc.transact(() => change(doc));
    return Promise.resolve();
  }

  onCommitted(listener: (e: CommittedEvent) => void): () => void {
    this.#committed.add(listener);
    return () => this.#committed.delete(listener);
  }

  /** Pretends the sync hub committed `update` to `ydoc` (a thread document). */
  commit(ref: Extract<DocRef, { kind: 'thread' }>, ydoc: Y.Doc, update: Uint8Array): void {
    const name = `thread:${ref.id}` as DocName;
    const entry: AppendEntry = { doc: name, seq: 1, update, actor: 'x', at: 0 };
    for (const l of this.#committed) l({ doc: name, ref, entries: [entry], ydoc });
  }

  doc(name: string): Y.Doc {
    const doc = this.docs.get(name as DocName);
    if (!doc) throw new Error(`${name} was never published`);
    return doc;
  }
}

export interface Kit {
  db: Db;
  hub: FakeHub;
  governance: GovernanceService;
  workspaces: WorkspaceService;
  threads: ThreadService;
  clock: { now: number };
  /** The job queue governance enqueues into, on the kit's clock. */
  jobs: SqliteJobStore;
  memberships: MembershipChange[];
  invitations: InvitationService;
  /** Every invitation handed to the mail seam, tokens included. */
  sent: OutgoingInvitation[];
  /** A user made directly in the database, with the address `<name>@example.com`. */
  user(name: string): UserId;
  /** Invites `<name>@example.com` as `owner` and accepts as that user; throws unless both work. */
  join(owner: UserId, ws: WorkspaceId, member: UserId, role: Role): Promise<void>;
  /**
   * A workspace with an owner, two approvers, an editor and a viewer, each invited through
   * `member.invite` and accepting.
   */
  team(): Promise<{
    ws: WorkspaceId;
    owner: UserId;
    approver: UserId;
    approver2: UserId;
    editor: UserId;
    viewer: UserId;
  }>;
  /** Submits intents as `actor`, filling in fresh ids where none is given. */
  submit(
    actor: UserId,
    ...intents: Array<Omit<IntentInput, 'id'> & { id?: string }>
  ): Promise<AdjudicatedResult[]>;
  thread(actor: UserId, ws: WorkspaceId, title?: string): Promise<ThreadId>;
  close(): void;
}

export function makeKit(
  options: {
    rate?: IntentRate;
    receiptKeys?: ReceiptKeyring;
    reminders?: Partial<ReminderSettings>;
    /** What effects enqueue into instead of `jobs` (a baseline that keeps nothing, for the bench). */
    scheduler?: JobScheduler;
  } = {},
): Kit {
  const db = openDb({ path: ':memory:' });
  const clock = { now: Date.UTC(2030, 0, 1) };
  const now = () => clock.now;
  const logger = createLogger('silent');
  const workspaces = new WorkspaceService({ db, now, logger });
  const threads = new ThreadService({ db, logger });
  const hub = new FakeHub();
  const memberships: MembershipChange[] = [];
  workspaces.onMembershipChanged((c) => memberships.push(c));
  const sent: OutgoingInvitation[] = [];
  const jobs = new SqliteJobStore(db, now);
  const governance = new GovernanceService({
    jobs: options.scheduler ?? jobs,
    db,
    workspaces,
    threads,
    hub,
    logger,
    now,
    invitationSender: { send: (invitation) => Promise.resolve(void sent.push(invitation)) },
    ...(options.rate ? { rate: options.rate } : {}),
    ...(options.receiptKeys ? { receiptKeys: options.receiptKeys } : {}),
    ...(options.reminders ? { reminders: options.reminders } : {}),
  });
  const invitations = new InvitationService(governance);
  const emailOf = (id: UserId): string => {
    const row = db
      .select({ email: tables.users.email })
      .from(tables.users)
      .where(eq(tables.users.id, id))
      .get();
    if (!row) throw new Error(`no user ${id}`);
    return row.email;
  };
  const user = (name: string): UserId => {
    const id = newId<UserId>(clock.now);
    db.insert(tables.users)
      .values({ id, email: `${name}@example.com`, name, passwordHash: 'unused', createdAt: clock.now })
      .run();
    return id;
  };
  let teams = 0;
  const kit: Kit = {
    db,
    hub,
    governance,
    workspaces,
    threads,
    clock,
    jobs,
    memberships,
    invitations,
    sent,
    user,
    async join(owner, ws, member, role) {
      const email = emailOf(member);
      const [invited] = await kit.submit(owner, {
        type: 'member.invite',
        args: { workspaceId: ws, email, role },
      });
      if (invited?.status !== 'accepted') throw new Error(`member.invite: ${JSON.stringify(invited)}`);
      const invitation = sent.find((i) => i.invitationId === invited.result.invitationId);
      if (!invitation) throw new Error('the invitation was not sent');
      await invitations.accept(invitation.token, { id: member, email });
    },
    async team() {
      const p = `t${++teams}`;
      const owner = user(`${p}owner`);
      const ws = workspaces.create(owner, 'Team').id;
      const members = { owner } as Record<string, UserId>;
      const roles: Array<[string, Role]> = [
        ['approver', 'approver'],
        ['approver2', 'approver'],
        ['editor', 'editor'],
        ['viewer', 'viewer'],
      ];
      for (const [name, role] of roles) {
        const member = user(`${p}${name}`);
        members[name] = member;
        await kit.join(owner, ws, member, role);
      }
      return {
        ws,
        owner,
        approver: members.approver as UserId,
        approver2: members.approver2 as UserId,
        editor: members.editor as UserId,
        viewer: members.viewer as UserId,
      };
    },
    submit(actor, ...intents) {
      // Each submission a millisecond later, so notifications and events have a natural order.
      clock.now += 1;
      return governance.submit(
        actor,
        intents.map((i) => ({ id: newId<IntentId>(clock.now), ...i })),
      );
    },
    async thread(actor, ws, title = 'A thread') {
      const threadId = newId<ThreadId>(clock.now);
      const [r] = await kit.submit(actor, {
        type: 'thread.create',
        args: { threadId, workspaceId: ws, title },
      });
      if (r?.status !== 'accepted') throw new Error(`thread.create: ${JSON.stringify(r)}`);
      return threadId;
    },
    close: () => db.$client.close(),
  };
  return kit;
}
