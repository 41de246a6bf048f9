import { afterEach, expect, it } from 'vitest';
import {
  CATALOG_THREADS_ROOT,
  tables,
  WORKSPACE_ROOTS,
  workspaceDoc,
  type CatalogThread,
  type DecisionId,
  type ThreadId,
  type UserId,
  type WorkspaceDecisionEntry,
  type WorkspaceId,
} from '@caucus/schema';
import { ids, projectionKit, type ProjectionKit } from './test-kit.js';
import { WorkspaceDocPublisher } from './workspace-doc.js';

let kit: ProjectionKit;

afterEach(async () => {
  await kit.close();
});

function read(workspaceId: WorkspaceId) {
  return kit.hub.read(workspaceDoc(workspaceId), { kind: 'workspace', id: workspaceId }, (doc) => ({
    members: doc.getMap(WORKSPACE_ROOTS.members).toJSON(),
    decisions: doc.getMap(WORKSPACE_ROOTS.decisions).toJSON(),
    threads: doc.getMap(CATALOG_THREADS_ROOT).toJSON(),
  }));
}

function countCommits(workspaceId: WorkspaceId): () => number {
  let n = 0;
  kit.hub.onCommitted((e) => {
    if (e.doc === workspaceDoc(workspaceId)) n++;
  });
  return () => n;
}

const entry = (id: string, title: string): CatalogThread => ({
  id: id as ThreadId,
  title,
  status: 'active',
  updatedAt: 1,
  lastMessage: null,
});

it('publishes the members from the rows, and publishing again writes nothing', async () => {
  kit = await projectionKit();
  const { workspaceId, userId } = ids();
  kit.db
    .insert(tables.users)
    .values({ id: userId, email: 'ada@example.com', name: 'Ada', passwordHash: 'x', createdAt: 1 })
    .run();
  kit.addMember(workspaceId, userId, 'approver');
  const publisher = new WorkspaceDocPublisher({ db: kit.db, writer: kit.hub });
  const commits = countCommits(workspaceId);

  await publisher.governed(workspaceId, () => []);
  expect((await read(workspaceId)).members).toEqual({ [userId]: { userId, name: 'Ada', role: 'approver' } });
  expect(commits()).toBe(1);
  await publisher.governed(workspaceId, () => []);
  expect(commits()).toBe(1);

  kit.addMember(workspaceId, 'u-nobody' as UserId);
  await publisher.governed(workspaceId, () => []);
  // A membership whose user row is gone is not listed: only the join of the two is.
  expect(Object.keys((await read(workspaceId)).members)).toEqual([userId]);

  // The open decisions are what governance's query hands in, and only those.
  const decision: WorkspaceDecisionEntry = {
    id: 'd1' as DecisionId,
    threadId: 't1' as ThreadId,
    title: 'Ship it',
    status: 'open',
    requiredApprovals: 1,
    approvals: 0,
    dueAt: null,
    openedAt: 1,
    updatedAt: 1,
    pendingCheckpointId: null,
  };
  await publisher.governed(workspaceId, () => [decision]);
  expect((await read(workspaceId)).decisions).toEqual({ d1: decision });
  await publisher.governed(workspaceId, () => []);
  expect((await read(workspaceId)).decisions).toEqual({});
});

it('keeps the thread catalog beside the members: updates, deletions and a whole replacement', async () => {
  kit = await projectionKit();
  const { workspaceId } = ids();
  const publisher = new WorkspaceDocPublisher({ db: kit.db, writer: kit.hub });
  const commits = countCommits(workspaceId);

  await publisher.updateThreads(workspaceId, [
    ['t1' as ThreadId, entry('t1', 'One')],
    ['t2' as ThreadId, entry('t2', 'Two')],
  ]);
  expect(Object.keys((await read(workspaceId)).threads).sort()).toEqual(['t1', 't2']);
  await publisher.updateThreads(workspaceId, [['t1' as ThreadId, entry('t1', 'One')]]);
  expect(commits()).toBe(1);

  await publisher.updateThreads(workspaceId, [['t2' as ThreadId, null]]);
  expect(Object.keys((await read(workspaceId)).threads)).toEqual(['t1']);

  await publisher.replaceThreads(workspaceId, () => new Map([['t3' as ThreadId, entry('t3', 'Three')]]));
  const after = await read(workspaceId);
  expect(after.threads).toEqual({ t3: entry('t3', 'Three') });
  expect(commits()).toBe(3);
  await publisher.replaceThreads(workspaceId, () => new Map([['t3' as ThreadId, entry('t3', 'Three')]]));
  expect(commits()).toBe(3);
});
