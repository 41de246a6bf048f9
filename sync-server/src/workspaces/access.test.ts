/**
 * What `docAccess` reads from the database, end to end with the governance service: workspaces,
 * memberships, threads and decisions are made through intents (the one write path), as users make
 * them. The rule itself is unit-tested next to the role rules (`@caucus/schema` policy/access.ts).
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  newId,
  parseDocName,
  tables,
  type Access,
  type DecisionId,
  type DocRef,
  type Role,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { makeKit, type Kit } from '../governance/test-kit.js';
import { createLogger } from '../logger.js';
import { docAccess } from './access.js';
import { ThreadService, type Thread } from './thread-service.js';

let kit: Kit;

beforeEach(() => {
  kit = makeKit();
});

afterEach(() => kit.close());

let teams = 0;

/** A workspace whose members joined through invitations, and an account outside it. */
async function team() {
  const t = await kit.team();
  const members: Record<Role, UserId> = {
    owner: t.owner,
    approver: t.approver,
    editor: t.editor,
    viewer: t.viewer,
  };
  return { ws: t.ws, members, outsider: kit.user(`outsider${++teams}`) };
}

async function setRole(owner: UserId, workspaceId: WorkspaceId, userId: UserId, role: Role) {
  const [verdict] = await kit.submit(owner, { type: 'member.setRole', args: { workspaceId, userId, role } });
  expect(verdict?.status).toBe('accepted');
}

const thread = (id: ThreadId): DocRef => ({ kind: 'thread', id });

describe('docAccess', () => {
  it('thread: editors and up write, viewers read, outsiders get nothing', async () => {
    const { ws, members, outsider } = await team();
    const t = await kit.thread(members.editor, ws, 'Roadmap');
    const expected: Record<Role, Access> = {
      owner: 'write',
      approver: 'write',
      editor: 'write',
      viewer: 'read',
    };
    for (const role of Object.keys(expected) as Role[]) {
      expect(docAccess(kit.db, members[role], thread(t)), role).toBe(expected[role]);
    }
    expect(docAccess(kit.db, outsider, thread(t))).toBe('none');
  });

  it('thread: archived threads are read-only for every member', async () => {
    const { ws, members, outsider } = await team();
    const t = await kit.thread(members.owner, ws, 'Old');
    kit.db.update(tables.threads).set({ status: 'archived' }).where(eq(tables.threads.id, t)).run();
    for (const role of ['owner', 'approver', 'editor', 'viewer'] as const) {
      expect(docAccess(kit.db, members[role], thread(t)), role).toBe('read');
    }
    expect(docAccess(kit.db, outsider, thread(t))).toBe('none');
  });

  it('thread: unknown threads are none', async () => {
    const { members } = await team();
    expect(docAccess(kit.db, members.owner, thread(newId<ThreadId>()))).toBe('none');
  });

  it('thread: membership in another workspace does not leak across', async () => {
    const { ws, members } = await team();
    const other = await team();
    const t = await kit.thread(members.owner, ws, 'Private');
    expect(docAccess(kit.db, other.members.owner, thread(t))).toBe('none');
  });

  it('decision: every member of its workspace reads it, nobody writes it; unknown ones are none', async () => {
    const { ws, members, outsider } = await team();
    const t = await kit.thread(members.editor, ws, 'Roadmap');
    const id = newId<DecisionId>();
    const [proposed] = await kit.submit(members.editor, {
      type: 'decision.propose',
      args: { decisionId: id, threadId: t, title: 'D' },
    });
    expect(proposed?.status).toBe('accepted');
    for (const role of ['owner', 'approver', 'editor', 'viewer'] as const) {
      expect(docAccess(kit.db, members[role], { kind: 'decision', id })).toBe('read');
    }
    expect(docAccess(kit.db, outsider, { kind: 'decision', id })).toBe('none');
    expect(docAccess(kit.db, members.owner, { kind: 'decision', id: newId<DecisionId>() })).toBe('none');
  });

  it('inbox: only its own user reads it, nobody writes it', async () => {
    const { members, outsider } = await team();
    expect(docAccess(kit.db, members.viewer, { kind: 'inbox', id: members.viewer })).toBe('read');
    expect(docAccess(kit.db, members.owner, { kind: 'inbox', id: members.viewer })).toBe('none');
    expect(docAccess(kit.db, outsider, { kind: 'inbox', id: members.viewer })).toBe('none');
  });

  it('workspace: every member reads the catalog, nobody writes it', async () => {
    const { ws, members, outsider } = await team();
    for (const role of ['owner', 'approver', 'editor', 'viewer'] as const) {
      expect(docAccess(kit.db, members[role], { kind: 'workspace', id: ws }), role).toBe('read');
    }
    expect(docAccess(kit.db, outsider, { kind: 'workspace', id: ws })).toBe('none');
    expect(docAccess(kit.db, members.owner, { kind: 'workspace', id: newId<WorkspaceId>() })).toBe('none');
  });

  it('follows role changes at once', async () => {
    const { ws, members } = await team();
    const t = await kit.thread(members.owner, ws, 'T');
    expect(docAccess(kit.db, members.viewer, thread(t))).toBe('read');
    await setRole(members.owner, ws, members.viewer, 'editor');
    expect(docAccess(kit.db, members.viewer, thread(t))).toBe('write');
  });

  it('works with refs parsed from document names', async () => {
    const { ws, members } = await team();
    const t = await kit.thread(members.owner, ws, 'T');
    const ref = parseDocName(`thread:${t}`);
    expect(ref).not.toBeNull();
    if (ref) expect(docAccess(kit.db, members.editor, ref)).toBe('write');
  });
});

describe('events', () => {
  it('a failing listener neither fails the announcement nor silences the other listeners', () => {
    const errors: string[] = [];
    const logger = createLogger('error', { write: (line: string) => void errors.push(line) });
    const isolated = new ThreadService({ db: kit.db, logger });
    const heard: string[] = [];
    isolated.onThreadCreated(() => {
      throw new Error('listener bug');
    });
    const off = isolated.onThreadCreated(({ thread }) => heard.push(thread.title));
    const created = (title: string): Thread => ({
      id: newId<ThreadId>(),
      workspaceId: newId<WorkspaceId>(),
      title,
      intent: null,
      status: 'active',
      visibility: 'workspace',
      conversation: false,
      createdBy: newId<UserId>(),
      createdAt: 1,
      updatedAt: 1,
    });
    isolated.announceCreated({ thread: created('Still heard'), actorId: newId<UserId>() });
    expect(heard).toEqual(['Still heard']);
    expect(errors.join('')).toContain('listener bug');
    off();
    isolated.announceCreated({ thread: created('Unheard'), actorId: newId<UserId>() });
    expect(heard).toEqual(['Still heard']);
  });
});
