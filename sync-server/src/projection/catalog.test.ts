import { afterEach, describe, expect, it } from 'vitest';
import {
  CATALOG_MESSAGE_PREVIEW_CHARS,
  CATALOG_THREADS_ROOT,
  workspaceDoc,
  type CatalogThread,
  type ThreadId,
  type WorkspaceId,
} from '@caucus/schema';
import { ids, projectionKit, type ProjectionKit } from './test-kit.js';

let kit: ProjectionKit;

afterEach(async () => {
  await kit.close();
});

const ref = (id: WorkspaceId) => ({ kind: 'workspace', id }) as const;

function catalogOf(kit: ProjectionKit, workspaceId: WorkspaceId): Promise<Record<string, CatalogThread>> {
  return kit.hub.read(
    workspaceDoc(workspaceId),
    ref(workspaceId),
    (doc) => doc.getMap<CatalogThread>(CATALOG_THREADS_ROOT).toJSON() as Record<string, CatalogThread>,
  );
}

/** Resolves with the catalog once `check` holds, re-checking after each commit of the workspace document. */
async function catalogWhen(
  kit: ProjectionKit,
  workspaceId: WorkspaceId,
  check: (catalog: Record<string, CatalogThread>) => boolean,
): Promise<Record<string, CatalogThread>> {
  const name = workspaceDoc(workspaceId);
  let off = () => {};
  const committed = new Promise<void>((resolve) => {
    off = kit.hub.onCommitted((e) => {
      if (e.doc === name) resolve();
    });
  });
  try {
    const now = await catalogOf(kit, workspaceId);
    if (check(now)) return now;
    await committed;
  } finally {
    off();
  }
  return catalogWhen(kit, workspaceId, check);
}

/** Counts commits of the workspace document from now on. */
function countCommits(kit: ProjectionKit, workspaceId: WorkspaceId): () => number {
  let n = 0;
  kit.hub.onCommitted((e) => {
    if (e.doc === workspaceDoc(workspaceId)) n++;
  });
  return () => n;
}

describe('the workspace catalog', () => {
  it('lists a new thread, follows its title and last message, and its status', async () => {
    kit = await projectionKit();
    const { workspaceId } = ids();
    const threadId = kit.addThread(workspaceId, 'Planning');
    let catalog = await catalogWhen(kit, workspaceId, (c) => c[threadId] !== undefined);
    expect(catalog[threadId]).toMatchObject({
      id: threadId,
      title: 'Planning',
      status: 'active',
      lastMessage: null,
    });

    await kit.edit(threadId, (doc) => doc.getMap('meta').set('title', 'Planning Q3'));
    const long = 'x'.repeat(CATALOG_MESSAGE_PREVIEW_CHARS + 50);
    const messageId = await kit.post(threadId, long, 'ada');
    catalog = await catalogWhen(kit, workspaceId, (c) => c[threadId]?.lastMessage !== null);
    const entry = catalog[threadId] as CatalogThread;
    expect(entry).toMatchObject({
      title: 'Planning Q3',
      lastMessage: { id: messageId, author: 'ada', text: long.slice(0, CATALOG_MESSAGE_PREVIEW_CHARS) },
    });
    expect(entry.updatedAt).toBe(entry.lastMessage?.at);

    // Status lives in the threads row (governance archives through intents): no document changes.
    kit.setStatus(threadId, 'archived');
    catalog = await catalogWhen(kit, workspaceId, (c) => c[threadId]?.status === 'archived');
    expect(catalog[threadId]?.title).toBe('Planning Q3');
  });

  it('writes the document only when an entry changes', async () => {
    kit = await projectionKit();
    const { workspaceId } = ids();
    const threadId = kit.addThread(workspaceId, 'Quiet');
    await catalogWhen(kit, workspaceId, (c) => c[threadId] !== undefined);
    const commits = countCommits(kit, workspaceId);
    for (let i = 0; i < 5; i++) await kit.edit(threadId, (doc) => doc.getText('body').insert(0, 'notes '));
    await kit.readModel.flush();
    expect(commits()).toBe(0);
    await kit.post(threadId, 'news');
    await catalogWhen(kit, workspaceId, (c) => c[threadId]?.lastMessage?.text === 'news');
    expect(commits()).toBe(1);
  });

  it('is made to match the rows again at start (entries missing or stale)', async () => {
    kit = await projectionKit();
    const { workspaceId } = ids();
    const kept = kit.addThread(workspaceId, 'Kept');
    await kit.post(kept, 'hello');
    await catalogWhen(kit, workspaceId, (c) => c[kept]?.lastMessage?.text === 'hello');
    const expected = await catalogOf(kit, workspaceId);
    const ghost = 'ghost-thread' as ThreadId;
    await kit.hub.transact(workspaceDoc(workspaceId), ref(workspaceId), (doc) => {
      const map = doc.getMap(CATALOG_THREADS_ROOT);
      map.delete(kept);
      map.set(ghost, { id: ghost, title: 'Ghost', status: 'active', updatedAt: 0, lastMessage: null });
    });
    await kit.readModel.catalog.rebuildAll();
    expect(await catalogOf(kit, workspaceId)).toEqual(expected);
  });
});
