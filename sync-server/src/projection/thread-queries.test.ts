import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type ThreadId, type UserId, type WorkspaceId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import { ids, projectionKit, type ProjectionKit } from './test-kit.js';
import { getThread, listThreads, type ListThreadsQuery, type ThreadSummary } from './thread-queries.js';

let kit: ProjectionKit;
let ws: WorkspaceId;
let member: UserId;
let outsider: UserId;

beforeEach(async () => {
  kit = await projectionKit();
  ({ workspaceId: ws, userId: member } = ids());
  outsider = newId<UserId>();
  kit.addMember(ws, member, 'viewer');
});

afterEach(async () => {
  await kit.close();
});

const list = (query: ListThreadsQuery, userId = member) => listThreads(kit.db, userId, query);
const titles = (threads: ThreadSummary[]) => threads.map((t) => t.title);

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof ApiError ? err.code : 'not-an-api-error';
  }
}

async function thread(
  title: string,
  body = '',
  messages: string[] = [],
  workspaceId = ws,
): Promise<ThreadId> {
  const id = kit.addThread(workspaceId, title);
  if (body) await kit.edit(id, (doc) => doc.getText('body').insert(0, body));
  for (const m of messages) await kit.post(id, m);
  return id;
}

describe('searching threads', () => {
  it('ranks by relevance, a title match first, with highlighted and escaped snippets', async () => {
    await thread('Weekly notes', 'We talked about the <script>flamingo</script> enclosure and more.');
    await thread('Flamingo budget');
    await thread('Zoo', '', ['the flamingo order is late', 'second message']);
    await thread('Unrelated', 'nothing to see');
    await kit.readModel.flush();

    const { threads } = list({ workspaceId: ws, q: 'flamingo' });
    expect(titles(threads)).toHaveLength(3);
    expect(threads[0]).toMatchObject({
      title: 'Flamingo budget',
      match: { field: 'title', snippet: '<mark>Flamingo</mark> budget' },
    });
    const inBody = threads.find((t) => t.title === 'Weekly notes');
    expect(inBody?.match).toMatchObject({ field: 'body' });
    expect(inBody?.match?.snippet).toContain('&#60;script&#62;<mark>flamingo</mark>&#60;/script&#62;');
    const inMessage = threads.find((t) => t.title === 'Zoo');
    expect(inMessage?.match).toMatchObject({
      field: 'message',
      snippet: 'the <mark>flamingo</mark> order is late',
    });
    expect(inMessage?.match?.messageId).toEqual(expect.any(String));
    expect(inMessage?.lastMessage?.text).toBe('second message');
  });

  it('matches word prefixes and stems, folds accents, and needs every word in one place', async () => {
    const id = await thread('Café budgets', 'approved by finance');
    await thread('Roadmap', 'budget owner: finance');
    await kit.readModel.flush();
    expect(titles(list({ q: 'budg' }).threads).sort()).toEqual(['Café budgets', 'Roadmap']);
    expect(titles(list({ q: 'budget' }).threads).sort()).toEqual(['Café budgets', 'Roadmap']);
    expect(titles(list({ q: 'cafe' }).threads)).toEqual(['Café budgets']);
    expect(titles(list({ q: 'finance owner' }).threads)).toEqual(['Roadmap']);
    // Title, intent and body count as one place; each message is one place of its own.
    expect(titles(list({ q: 'cafe approved' }).threads)).toEqual(['Café budgets']);
    await kit.post(id, 'first word');
    await kit.post(id, 'second word');
    await kit.readModel.flush();
    expect(titles(list({ q: 'first word' }).threads)).toEqual(['Café budgets']);
    expect(titles(list({ q: 'first second' }).threads)).toEqual([]);
  });

  it('treats search syntax as text and finds nothing without a word', async () => {
    await thread('NEAR AND OR', 'quotes " and stars *');
    await kit.readModel.flush();
    expect(titles(list({ q: 'NEAR(" OR * AND' }).threads)).toEqual(['NEAR AND OR']);
    expect(list({ q: '"' }).threads).toEqual([]);
    expect(list({ q: 'title:near' }).threads).toEqual([]);
  });

  it('only ever covers threads the caller may read', async () => {
    const other = ids().workspaceId;
    kit.addMember(other, outsider, 'owner');
    await thread('Secret flamingo plan', '', [], ws);
    await thread('Outsider flamingo', '', [], other);
    await kit.readModel.flush();
    expect(titles(list({ q: 'flamingo' }).threads)).toEqual(['Secret flamingo plan']);
    expect(titles(list({ q: 'flamingo' }, outsider).threads)).toEqual(['Outsider flamingo']);
    expect(titles(list({}, outsider).threads)).toEqual(['Outsider flamingo']);
    expect(codeOf(() => list({ workspaceId: ws, q: 'flamingo' }, outsider))).toBe('not-found');
    expect(codeOf(() => list({ workspaceId: ws }, outsider))).toBe('not-found');
  });

  it('filters by status', async () => {
    const archived = await thread('Old flamingo');
    await thread('New flamingo');
    kit.setStatus(archived, 'archived');
    await kit.readModel.flush();
    expect(titles(list({ q: 'flamingo', status: 'archived' }).threads)).toEqual(['Old flamingo']);
    expect(titles(list({ status: 'active' }).threads)).toEqual(['New flamingo']);
  });
});

describe('pages', () => {
  it('walks every thread once, newest activity first, with and without a search', async () => {
    for (let i = 0; i < 7; i++) await thread(`Thread ${i}`, '', [`flamingo number ${i}`]);
    await kit.readModel.flush();
    for (const q of [undefined, 'flamingo']) {
      const seen: ThreadSummary[] = [];
      let page = list({ workspaceId: ws, limit: 3, ...(q ? { q } : {}) });
      const sizes = [page.threads.length];
      seen.push(...page.threads);
      while (page.next) {
        page = list({ workspaceId: ws, limit: 3, after: page.next, ...(q ? { q } : {}) });
        sizes.push(page.threads.length);
        seen.push(...page.threads);
      }
      expect(sizes).toEqual([3, 3, 1]);
      expect(new Set(seen.map((t) => t.id)).size).toBe(7);
      if (!q) {
        const times = seen.map((t) => t.activityAt);
        expect(times).toEqual([...times].sort((a, b) => b - a));
      }
    }
  });

  it('refuses a cursor of the other kind of listing', async () => {
    for (let i = 0; i < 3; i++) await thread(`T${i}`);
    await kit.readModel.flush();
    const next = list({ limit: 1 }).next;
    if (!next) throw new Error('expected a next page');
    expect(codeOf(() => list({ q: 't', after: next }))).toBe('invalid-body');
  });
});

describe('one thread', () => {
  it('is the projected document, for members only', async () => {
    const id = await thread('Detail', 'the body', ['one', 'two']);
    await kit.edit(id, (doc) =>
      doc
        .getMap('attachments')
        .set('up1', { id: 'up1', name: 'a.pdf', size: 5, type: 'application/pdf', sha256: 'aa' }),
    );
    await kit.readModel.flush();
    const detail = getThread(kit.db, member, id);
    expect(detail).toMatchObject({
      id,
      title: 'Detail',
      body: 'the body',
      messageCount: 2,
      attachmentCount: 1,
      messages: [
        { text: 'one', author: 'u-author', editedAt: null },
        { text: 'two', author: 'u-author' },
      ],
      attachments: [{ id: 'up1', name: 'a.pdf', size: 5, type: 'application/pdf', sha256: 'aa' }],
    });
    expect(detail.projectedSeq).toBe(4);
    expect(codeOf(() => getThread(kit.db, outsider, id))).toBe('not-found');
  });

  it('before its first projection: the row, with an empty body', () => {
    const id = kit.addThread(ws, 'Not yet', 'the founding intent');
    expect(getThread(kit.db, member, id)).toMatchObject({
      title: 'Not yet',
      intent: 'the founding intent',
      body: '',
      messages: [],
      projectedSeq: null,
    });
  });
});
