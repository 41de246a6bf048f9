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
import { createLogger } from '../logger.js';
import { openDb, type Db } from '../storage/db.js';
import { docAccess } from './access.js';
import { ThreadService } from './thread-service.js';
import { WorkspaceService } from './workspace-service.js';

let db: Db;
let workspaces: WorkspaceService;
let threads: ThreadService;

beforeEach(() => {
  db = openDb({ path: ':memory:' });
  const logger = createLogger('silent');
  workspaces = new WorkspaceService({ db, logger });
  threads = new ThreadService({ db, logger });
});

afterEach(() => db.$client.close());

/** Users are inserted directly: access rules do not care how anyone logged in. */
function user(name: string): UserId {
  const id = newId<UserId>();
  db.insert(tables.users)
    .values({ id, email: `${name}@example.com`, name, passwordHash: 'unused', createdAt: Date.now() })
    .run();
  return id;
}

/** Memberships too: how someone joined (an accepted invitation) is governance's business. */
function setRole(workspaceId: WorkspaceId, userId: UserId, role: Role): void {
  db.insert(tables.memberships)
    .values({ workspaceId, userId, role, createdAt: Date.now() })
    .onConflictDoUpdate({
      target: [tables.memberships.workspaceId, tables.memberships.userId],
      set: { role },
    })
    .run();
}

function team(prefix = '') {
  const owner = user(`${prefix}owner`);
  const ws = workspaces.create(owner, 'Team').id;
  const members = { owner } as Record<Role, UserId>;
  for (const role of ['approver', 'editor', 'viewer'] as const) {
    members[role] = user(`${prefix}${role}`);
    setRole(ws, members[role], role);
  }
  const outsider = user(`${prefix}outsider`);
  return { ws, members, outsider };
}

const thread = (id: ThreadId): DocRef => ({ kind: 'thread', id });

describe('docAccess', () => {
  it('thread: editors and up write, viewers read, outsiders get nothing', () => {
    const { ws, members, outsider } = team();
    const t = threads.create(members.editor, { workspaceId: ws, title: 'Roadmap' }).id;
    const expected: Record<Role, Access> = {
      owner: 'write',
      approver: 'write',
      editor: 'write',
      viewer: 'read',
    };
    for (const role of Object.keys(expected) as Role[]) {
      expect(docAccess(db, members[role], thread(t)), role).toBe(expected[role]);
    }
    expect(docAccess(db, outsider, thread(t))).toBe('none');
  });

  it('thread: archived threads are read-only for every member', () => {
    const { ws, members, outsider } = team();
    const t = threads.create(members.owner, { workspaceId: ws, title: 'Old' }).id;
    db.update(tables.threads).set({ status: 'archived' }).where(eq(tables.threads.id, t)).run();
    for (const role of ['owner', 'approver', 'editor', 'viewer'] as const) {
      expect(docAccess(db, members[role], thread(t)), role).toBe('read');
    }
    expect(docAccess(db, outsider, thread(t))).toBe('none');
  });

  it('thread: unknown threads are none', () => {
    const { members } = team();
    expect(docAccess(db, members.owner, thread(newId<ThreadId>()))).toBe('none');
  });

  it('thread: membership in another workspace does not leak across', () => {
    const { ws, members } = team();
    const other = team('other-');
    const t = threads.create(members.owner, { workspaceId: ws, title: 'Private' }).id;
    expect(docAccess(db, other.members.owner, thread(t))).toBe('none');
  });

  it('decision: every member of its workspace reads it, nobody writes it; unknown ones are none', () => {
    const { ws, members, outsider } = team();
    const t = threads.create(members.editor, { workspaceId: ws, title: 'Roadmap' }).id;
    const id = newId<DecisionId>();
    db.insert(tables.decisions)
      .values({
        id,
        workspaceId: ws,
        threadId: t,
        title: 'D',
        status: 'open',
        options: [],
        requiredApprovals: 0,
        proposedBy: members.editor,
        version: 1,
        createdAt: 1,
        openedAt: 1,
        updatedAt: 1,
        history: [],
      })
      .run();
    for (const role of ['owner', 'approver', 'editor', 'viewer'] as const) {
      expect(docAccess(db, members[role], { kind: 'decision', id })).toBe('read');
    }
    expect(docAccess(db, outsider, { kind: 'decision', id })).toBe('none');
    expect(docAccess(db, members.owner, { kind: 'decision', id: newId<DecisionId>() })).toBe('none');
  });

  it('inbox: only its own user reads it, nobody writes it', () => {
    const { members, outsider } = team();
    expect(docAccess(db, members.viewer, { kind: 'inbox', id: members.viewer })).toBe('read');
    expect(docAccess(db, members.owner, { kind: 'inbox', id: members.viewer })).toBe('none');
    expect(docAccess(db, outsider, { kind: 'inbox', id: members.viewer })).toBe('none');
  });

  it('workspace: every member reads the catalog, nobody writes it', () => {
    const { ws, members, outsider } = team();
    for (const role of ['owner', 'approver', 'editor', 'viewer'] as const) {
      expect(docAccess(db, members[role], { kind: 'workspace', id: ws }), role).toBe('read');
    }
    expect(docAccess(db, outsider, { kind: 'workspace', id: ws })).toBe('none');
    expect(docAccess(db, members.owner, { kind: 'workspace', id: newId<WorkspaceId>() })).toBe('none');
  });

  it('follows role changes at once', () => {
    const { ws, members } = team();
    const t = threads.create(members.owner, { workspaceId: ws, title: 'T' }).id;
    expect(docAccess(db, members.viewer, thread(t))).toBe('read');
    setRole(ws, members.viewer, 'editor');
    expect(docAccess(db, members.viewer, thread(t))).toBe('write');
  });

  it('works with refs parsed from document names', () => {
    const { ws, members } = team();
    const t = threads.create(members.owner, { workspaceId: ws, title: 'T' }).id;
    const ref = parseDocName(`thread:${t}`);
    expect(ref).not.toBeNull();
    if (ref) expect(docAccess(db, members.editor, ref)).toBe('write');
  });
});

describe('events', () => {
  it('a failing listener neither fails the write nor silences the other listeners', () => {
    const errors: string[] = [];
    const logger = createLogger('error', { write: (line: string) => void errors.push(line) });
    const isolated = new ThreadService({ db, logger });
    const heard: string[] = [];
    isolated.onThreadCreated(() => {
      throw new Error('listener bug');
    });
    const off = isolated.onThreadCreated(({ thread }) => heard.push(thread.title));
    const { ws, members } = team();
    expect(isolated.create(members.editor, { workspaceId: ws, title: 'Still created' }).title).toBe(
      'Still created',
    );
    expect(heard).toEqual(['Still created']);
    expect(errors.join('')).toContain('listener bug');
    off();
    isolated.create(members.editor, { workspaceId: ws, title: 'Unheard' });
    expect(heard).toEqual(['Still created']);
  });
});
