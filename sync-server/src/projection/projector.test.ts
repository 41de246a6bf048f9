import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eq } from 'drizzle-orm';
import { tables, type ThreadId } from '@caucus/schema';
import { createLogger } from '../logger.js';
import { Projector, type ProjectedEvent } from './projector.js';
import { storeSource } from './sources.js';
import { ids, projectionKit, readModelRows, type ProjectionKit } from './test-kit.js';

let kit: ProjectionKit;

afterEach(async () => {
  await kit.close();
});

/** Resolves with the next projection event of `threadId`. */
function nextProjection(projector: Projector, threadId: ThreadId): Promise<ProjectedEvent> {
  return new Promise((resolve) => {
    const off = projector.onProjected((e) => {
      if (e.threadId !== threadId) return;
      off();
      resolve(e);
    });
  });
}

function recordProjections(projector: Projector): ProjectedEvent[] {
  const events: ProjectedEvent[] = [];
  projector.onProjected((e) => events.push(e));
  return events;
}

const totalChanges = (kit: ProjectionKit) =>
  (kit.db.$client.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

/** Records every row written to the read-model tables from now on (TEMP triggers, this connection). */
function recordRowWrites(kit: ProjectionKit): () => string[] {
  const sqlite = kit.db.$client;
  sqlite.exec('CREATE TEMP TABLE IF NOT EXISTS row_writes (what TEXT)');
  for (const table of ['projected_threads', 'projected_messages', 'projected_attachments']) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      sqlite.exec(
        `CREATE TEMP TRIGGER IF NOT EXISTS ${table}_${op}_recorded AFTER ${op} ON main.${table}
         BEGIN INSERT INTO row_writes VALUES ('${op} ${table}'); END`,
      );
    }
  }
  sqlite.exec('DELETE FROM row_writes');
  return () =>
    (sqlite.prepare('SELECT what FROM row_writes').all() as Array<{ what: string }>).map((r) => r.what);
}

const row = (kit: ProjectionKit, threadId: ThreadId) =>
  kit.db.select().from(tables.projectedThreads).where(eq(tables.projectedThreads.threadId, threadId)).get();

describe('the live projection', () => {
  it('projects a burst of commits once, after the commits, off the commit path', async () => {
    // A debounce far longer than the burst: only flush() projects, so the count is exact.
    kit = await projectionKit({ debounceMs: 60_000, maxWaitMs: 60_000 });
    const { workspaceId } = ids();
    const threadId = kit.addThread(workspaceId, 'Budget');
    const events = recordProjections(kit.projector);
    for (let i = 0; i < 20; i++) await kit.edit(threadId, (doc) => doc.getText('body').insert(i, 'x'));
    // Twenty commits are done and nothing was projected on their way: it is all still pending.
    expect(row(kit, threadId)).toBeUndefined();
    expect(kit.projector.backlog).toBe(1);
    await kit.projector.flush();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ threadId, outcome: 'written', seq: 20 });
    expect(events[0]?.lagsMs).toHaveLength(20);
    expect(row(kit, threadId)).toMatchObject({ title: 'Budget', body: 'x'.repeat(20), seq: 20 });
  });

  it('still projects a thread that is edited without pause, every maxWait', async () => {
    kit = await projectionKit({ debounceMs: 40, maxWaitMs: 80 });
    const threadId = kit.addThread(ids().workspaceId);
    const events = recordProjections(kit.projector);
    const until = performance.now() + 400;
    // A commit every few milliseconds never leaves the 40 ms debounce quiet.
    for (let i = 0; performance.now() < until; i++) {
      await kit.edit(threadId, (doc) => doc.getText('body').insert(0, 'y'));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(events.filter((e) => e.outcome === 'written').length).toBeGreaterThanOrEqual(2);
  });

  it('writes nothing when it projects the state the rows came from', async () => {
    kit = await projectionKit();
    const threadId = kit.addThread(ids().workspaceId);
    await kit.post(threadId, 'hello');
    await kit.projector.flush();
    const before = totalChanges(kit);
    kit.projector.schedule(threadId);
    const projected = nextProjection(kit.projector, threadId);
    await kit.projector.flush();
    expect((await projected).outcome).toBe('unchanged');
    expect(totalChanges(kit)).toBe(before);
  });

  it('sees updates that only delete (the state vector alone does not change)', async () => {
    kit = await projectionKit();
    const threadId = kit.addThread(ids().workspaceId);
    await kit.edit(threadId, (doc) => doc.getText('body').insert(0, 'keep this, drop that'));
    await kit.post(threadId, 'short-lived');
    await kit.projector.flush();
    const sv = kit.hub.read(`thread:${threadId}` as never, { kind: 'thread', id: threadId }, (d) =>
      Y.encodeStateVector(d),
    );
    await kit.edit(threadId, (doc) => {
      doc.getText('body').delete(9, 11);
      doc.getArray('messages').delete(0, 1);
    });
    const after = await kit.hub.read(`thread:${threadId}` as never, { kind: 'thread', id: threadId }, (d) =>
      Y.encodeStateVector(d),
    );
    expect(after).toEqual(await sv);
    await kit.projector.flush();
    expect(row(kit, threadId)).toMatchObject({ body: 'keep this', messageCount: 0 });
    expect(readModelRows(kit.db).messages).toEqual([]);
  });

  it('writes only the rows that changed', async () => {
    kit = await projectionKit();
    const threadId = kit.addThread(ids().workspaceId);
    for (let i = 0; i < 5; i++) await kit.post(threadId, `message ${i}`);
    await kit.projector.flush();
    const writes = recordRowWrites(kit);
    await kit.edit(threadId, (doc) => {
      const m = doc.getArray<Y.Map<unknown>>('messages').get(2);
      m.set('text', 'message 2, edited');
      m.set('editedAt', 123);
    });
    await kit.projector.flush();
    // The message row, and the thread row for its stamp and seq.
    expect(writes().sort()).toEqual(['UPDATE projected_messages', 'UPDATE projected_threads']);
    const edited = readModelRows(kit.db).messages.find((m) =>
      (m as { text: string }).text.includes('edited'),
    );
    expect(edited).toMatchObject({ position: 2, edited_at: 123 });
  });

  it('reads documents leniently: fields of the wrong type are missing, not errors', async () => {
    kit = await projectionKit();
    const threadId = kit.addThread(ids().workspaceId, 'Row title', 'Row intent');
    await kit.edit(threadId, (doc) => {
      doc.getMap('meta').set('title', 42);
      const m = new Y.Map<unknown>();
      m.set('text', new Y.Text('a Y.Text message'));
      m.set('at', 'yesterday');
      doc.getArray('messages').push([m, 'not a map']);
      doc.getMap('attachments').set('u1', { name: 'a.pdf', size: 10, type: 'application/pdf', sha256: 'ab' });
      doc.getMap('attachments').set('u2', 'broken');
    });
    await kit.projector.flush();
    expect(row(kit, threadId)).toMatchObject({
      title: 'Row title',
      intent: 'Row intent',
      messageCount: 1,
      attachmentCount: 1,
      attachmentBytes: 10,
      activityAt: null,
    });
    expect(readModelRows(kit.db).messages).toMatchObject([
      { text: 'a Y.Text message', message_id: null, author: null, at: null },
    ]);
  });

  it('records the lag from commit to projected row in a histogram', async () => {
    kit = await projectionKit();
    const threadId = kit.addThread(ids().workspaceId);
    const projected = nextProjection(kit.projector, threadId);
    await kit.post(threadId, 'measure me');
    const event = await projected;
    expect(event.lagsMs).toHaveLength(1);
    expect(event.lagsMs[0]).toBeGreaterThan(0);
    const metric = await kit.metrics.projectionLagSeconds.get();
    expect(metric.values.find((v) => v.metricName === 'caucus_projection_lag_seconds_count')?.value).toBe(1);
  });

  it('drops the rows of a thread whose row is gone', async () => {
    kit = await projectionKit();
    const threadId = kit.addThread(ids().workspaceId);
    await kit.post(threadId, 'soon gone');
    await kit.projector.flush();
    kit.db.delete(tables.threads).where(eq(tables.threads.id, threadId)).run();
    kit.projector.schedule(threadId);
    const projected = nextProjection(kit.projector, threadId);
    await kit.projector.flush();
    expect((await projected).outcome).toBe('removed');
    expect(readModelRows(kit.db)).toEqual({ threads: [], messages: [], attachments: [] });
  });
});

describe('catching up', () => {
  it('projects threads whose log went past their rows, and leaves the others', async () => {
    kit = await projectionKit({ debounceMs: 60_000, maxWaitMs: 60_000 });
    const { workspaceId } = ids();
    const behind = kit.addThread(workspaceId, 'behind');
    const current = kit.addThread(workspaceId, 'current');
    const never = kit.addThread(workspaceId, 'never edited');
    await kit.post(current, 'projected');
    await kit.readModel.flush();
    // Never projected (rows made by an older version), and committed but never projected (the
    // process stopped before the debounce ran out).
    kit.db.$client.prepare('DELETE FROM projected_threads WHERE thread_id = ?').run(never);
    await kit.post(behind, 'committed before a crash');
    const fresh = new Projector({
      db: kit.db,
      source: storeSource(kit.store),
      logger: createLogger('silent'),
    });
    const events = recordProjections(fresh);
    expect(await fresh.catchUp(storeSource(kit.store))).toBe(2);
    expect(events.map((e) => [e.threadId, e.outcome]).sort()).toEqual(
      [
        [behind, 'written'],
        [never, 'written'],
      ].sort(),
    );
    expect(row(kit, behind)).toMatchObject({ messageCount: 1, seq: 1 });
    expect(row(kit, never)).toMatchObject({ title: 'never edited', seq: 0, body: '' });
    expect(await fresh.catchUp(storeSource(kit.store))).toBe(0);
  });
});
