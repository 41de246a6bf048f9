import { and, asc, desc, eq, gt } from 'drizzle-orm';
import { newId, tables, type InvitationId, type Role, type UserId, type WorkspaceId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { Listeners } from '../listeners.js';

const { invitations, memberships, users, workspaces } = tables;

export interface WorkspaceSummary {
  id: WorkspaceId;
  name: string;
  personal: boolean;
  /** The caller's role. */
  role: Role;
  createdAt: number;
}

export interface WorkspaceMember {
  userId: UserId;
  name: string;
  email: string;
  role: Role;
  joinedAt: number;
}

export interface PendingInvitation {
  id: InvitationId;
  email: string;
  role: Role;
  invitedBy: UserId;
  invitedAt: number;
  expiresAt: number;
}

export interface WorkspaceDetail extends WorkspaceSummary {
  members: WorkspaceMember[];
  /** Only for owners: invitations not yet answered and not expired. */
  invitations?: PendingInvitation[];
}

/** A membership was created, changed role (`role`), or removed (`role: null`). */
export interface MembershipChange {
  workspaceId: WorkspaceId;
  userId: UserId;
  role: Role | null;
}

export interface NewUser {
  id: UserId;
  name: string;
  email: string;
}

export interface ProvisionedUser {
  personalWorkspaceId: WorkspaceId;
  /** Tells membership listeners; call it once the surrounding transaction has committed. */
  announce: () => void;
}

export interface WorkspaceServiceOptions {
  db: Db;
  now?: () => number;
  /** Where failing event listeners are reported. */
  logger?: Logger;
}

/** Emails are stored and compared lower-cased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Workspaces and who belongs to them. Methods are synchronous: SQLite (better-sqlite3) answers
 * synchronously, and that lets signup run its workspace writes inside its own transaction.
 */
export class WorkspaceService {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #membershipChanged: Listeners<MembershipChange>;

  constructor({ db, now = Date.now, logger = createLogger('error') }: WorkspaceServiceOptions) {
    this.#db = db;
    this.#now = now;
    this.#membershipChanged = new Listeners((err) => logger.error({ err }, 'membership listener failed'));
  }

  /** Listens for membership changes (connections downgrade or close, catalogs republish). */
  onMembershipChanged(listener: (e: MembershipChange) => void): () => void {
    return this.#membershipChanged.add(listener);
  }

  /**
   * Tells membership listeners about a change written elsewhere (the intent engine's member
   * intents). Call only after the transaction that wrote it has committed.
   */
  announceMembershipChange(change: MembershipChange): void {
    this.#membershipChanged.emit(change);
  }

  /** Creates a workspace with `userId` as its owner. */
  create(userId: UserId, name: string): WorkspaceSummary {
    const createdAt = this.#now();
    const id = newId<WorkspaceId>(createdAt);
    this.#db.transaction((tx) => {
      tx.insert(workspaces).values({ id, name, personal: false, createdBy: userId, createdAt }).run();
      tx.insert(memberships).values({ workspaceId: id, userId, role: 'owner', createdAt }).run();
    });
    this.#membershipChanged.emit({ workspaceId: id, userId, role: 'owner' });
    return { id, name, personal: false, role: 'owner', createdAt };
  }

  /** The workspaces `userId` belongs to, each with the user's role: the personal one first, then oldest first. */
  listForUser(userId: UserId): WorkspaceSummary[] {
    return this.#db
      .select({
        id: workspaces.id,
        name: workspaces.name,
        personal: workspaces.personal,
        role: memberships.role,
        createdAt: workspaces.createdAt,
      })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(eq(memberships.userId, userId))
      .orderBy(desc(workspaces.personal), asc(workspaces.createdAt), asc(workspaces.id))
      .all();
  }

  /** A workspace with its members; `not-found` when the caller is not a member (existence stays hidden). */
  get(workspaceId: WorkspaceId, userId: UserId): WorkspaceDetail {
    const row = this.#db
      .select({
        id: workspaces.id,
        name: workspaces.name,
        personal: workspaces.personal,
        role: memberships.role,
        createdAt: workspaces.createdAt,
      })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .get();
    if (!row) throw notFound();
    const members = this.#db
      .select({
        userId: memberships.userId,
        name: users.name,
        email: users.email,
        role: memberships.role,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.workspaceId, workspaceId))
      .orderBy(asc(memberships.createdAt), asc(memberships.userId))
      .all();
    if (row.role !== 'owner') return { ...row, members };
    const pending = this.#db
      .select({
        id: invitations.id,
        email: invitations.email,
        role: invitations.role,
        invitedBy: invitations.invitedBy,
        invitedAt: invitations.createdAt,
        expiresAt: invitations.expiresAt,
      })
      .from(invitations)
      .where(
        and(
          eq(invitations.workspaceId, workspaceId),
          eq(invitations.status, 'pending'),
          gt(invitations.expiresAt, this.#now()),
        ),
      )
      .orderBy(asc(invitations.createdAt), asc(invitations.email))
      .all();
    return { ...row, members, invitations: pending };
  }

  roleOf(userId: UserId, workspaceId: WorkspaceId): Role | null {
    const row = this.#db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .get();
    return row?.role ?? null;
  }

  /**
   * Gives a new user a personal workspace ("<name>'s workspace"). Invitations to their address are
   * not claimed: a plain signup proves nothing about the address (signing up through an
   * invitation's token does, see `governance/invitations.ts`). Writes only: call it inside the
   * signup transaction, and call `announce` after that commits, so listeners never hear of rows
   * that were rolled back.
   */
  provisionUser(user: NewUser): ProvisionedUser {
    const createdAt = this.#now();
    const personalWorkspaceId = newId<WorkspaceId>(createdAt);
    const db = this.#db;
    db.insert(workspaces)
      .values({
        id: personalWorkspaceId,
        name: `${user.name}'s workspace`,
        personal: true,
        createdBy: user.id,
        createdAt,
      })
      .run();
    db.insert(memberships)
      .values({ workspaceId: personalWorkspaceId, userId: user.id, role: 'owner', createdAt })
      .run();
    const change: MembershipChange = { workspaceId: personalWorkspaceId, userId: user.id, role: 'owner' };
    return { personalWorkspaceId, announce: () => this.#membershipChanged.emit(change) };
  }
}

function notFound(): ApiError {
  return new ApiError('not-found', 'workspace not found');
}
