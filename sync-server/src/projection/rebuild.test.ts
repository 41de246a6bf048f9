import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newId, type ThreadId, type UploadId, type WorkspaceId } from '@caucus/schema';
import { rebuildProjection } from './rebuild.js';
import { ftsQuery } from './search-index.js';
import { ids, projectionKit, readModelRows, searchHits, type ProjectionKit } from './test-kit.js';

let kit: ProjectionKit;

afterEach(async () => {
  await kit.close();
});

/** Mulberry32: a small seeded PRNG, so a failing workload can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
  };
}

const WORDS = ['budget', 'flamingo', 'quarter', 'approve', 'café', 'roadmap', 'risk', 'owner', 'zebra', 'q3'];

/** One random edit of a thread document, of the kinds clients and the server make. */
function randomEdit(rand: ReturnType<typeof prng>, clock: () => number) {
  const sentence = () => Array.from({ length: 1 + rand.int(5) }, () => rand.pick(WORDS)).join(' ');
  return (doc: Y.Doc) => {
    const body = doc.getText('body');
    const messages = doc.getArray<Y.Map<unknown>>('messages');
    const attachments = doc.getMap('attachments');
    switch (rand.int(9)) {
      case 0:
      case 1:
        body.insert(rand.int(body.length + 1), `${sentence()} `);
        break;
      case 2:
        if (body.length > 0) {
          const at = rand.int(body.length);
          body.delete(at, 1 + rand.int(Math.min(12, body.length - at)));
        }
        break;
      case 3:
      case 4: {
        const m = new Y.Map<unknown>();
        m.set('id', newId());
        m.set('author', `user-${rand.int(3)}`);
        m.set('text', sentence());
        m.set('at', clock());
        messages.insert(rand.int(messages.length + 1), [m]);
        break;
      }
      case 5:
        if (messages.length > 0) {
          const m = messages.get(rand.int(messages.length));
          m.set('text', sentence());
          m.set('editedAt', clock());
        }
        break;
      case 6:
        if (messages.length > 0) messages.delete(rand.int(messages.length), 1);
        break;
      case 7:
        [
          () => doc.getMap('meta').set('title', sentence()),
          () => doc.getMap('meta').set('intent', sentence()),
          () => doc.getMap('meta').delete('intent'),
        ][rand.int(3)]?.();
        break;
      case 8:
        if (attachments.size > 0 && rand.next() < 0.4) attachments.delete(rand.pick([...attachments.keys()]));
        else {
          const id = newId<UploadId>();
          attachments.set(id, {
            id,
            name: `${rand.pick(WORDS)}.pdf`,
            size: rand.int(1e6),
            type: 'application/pdf',
            sha256: 'ff',
          });
        }
        break;
    }
  };
}

async function workload(kit: ProjectionKit, options: { threads: number; edits: number; seed: number }) {
  const rand = prng(options.seed);
  const workspaces: WorkspaceId[] = [ids().workspaceId, ids().workspaceId, ids().workspaceId];
  const threads: ThreadId[] = [];
  for (let i = 0; i < options.threads; i++) {
    threads.push(
      kit.addThread(
        rand.pick(workspaces),
        `Thread ${i} ${rand.pick(WORDS)}`,
        rand.next() < 0.5 ? 'an intent' : null,
      ),
    );
  }
  let clock = Date.UTC(2031, 5, 1);
  const tick = () => (clock += 1 + rand.int(1000));
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < options.edits; i++) {
    inFlight.push(kit.edit(rand.pick(threads), randomEdit(rand, tick)));
    // Let commits, debounce timers, projections, compactions and unloads interleave with the edits.
    if (i % 25 === 24) {
      await Promise.all(inFlight.splice(0));
      if (rand.next() < 0.3) await new Promise((resolve) => setTimeout(resolve, rand.int(30)));
    }
  }
  await Promise.all(inFlight);
  return threads;
}

describe('rebuild-projection', () => {
  it('gives the same rows as the live projection, over many documents and edits', async () => {
    // Small debounce, frequent compaction and quick unloads: the live projection runs often, on
    // documents folded into snapshots and loaded again from storage.
    kit = await projectionKit({ debounceMs: 5, maxWaitMs: 20, compactEveryUpdates: 8, idleUnloadMs: 15 });
    await workload(kit, { threads: 60, edits: 2500, seed: 4242 });
    await kit.readModel.flush();
    const live = readModelRows(kit.db);
    expect(live.threads).toHaveLength(60);
    expect(live.messages.length).toBeGreaterThan(100);
    expect(live.attachments.length).toBeGreaterThan(20);
    const queries = WORDS.map((w) => ftsQuery(w) as string);
    const liveHits = queries.map((q) => searchHits(kit.db, q));

    // In place: every row is compared, none differs.
    const progress: number[] = [];
    const inPlace = await rebuildProjection(kit.db, { onProgress: ({ done }) => progress.push(done) });
    expect(inPlace).toMatchObject({ threads: 60, corrected: 0, removed: 0, skipped: 0 });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(60);
    expect(readModelRows(kit.db)).toEqual(live);

    // From nothing: the same rows, and the indexes find the same ones.
    kit.db.$client.exec(
      'DELETE FROM projected_messages; DELETE FROM projected_attachments; DELETE FROM projected_threads;',
    );
    expect(readModelRows(kit.db).threads).toEqual([]);
    const fresh = await rebuildProjection(kit.db);
    expect(fresh).toMatchObject({ threads: 60, corrected: 60 });
    expect(readModelRows(kit.db)).toEqual(live);
    expect(queries.map((q) => searchHits(kit.db, q))).toEqual(liveHits);
    expect(liveHits.some((h) => h.threads.length > 0 && h.messages.length > 0)).toBe(true);
  });

  it('repairs damaged rows and drops rows of threads that no longer exist', async () => {
    kit = await projectionKit();
    const threadId = kit.addThread(ids().workspaceId, 'Repair me');
    await kit.post(threadId, 'a message about flamingos');
    await kit.readModel.flush();
    const live = readModelRows(kit.db);
    kit.db.$client.exec(`UPDATE projected_messages SET text = 'tampered'`);
    kit.db.$client
      .prepare(
        `INSERT INTO projected_threads (thread_id, title, body, message_count, attachment_count,
                 attachment_bytes, seq, stamp) VALUES (?, 'ghost', '', 0, 0, 0, 0, x'00')`,
      )
      .run(newId());
    const report = await rebuildProjection(kit.db);
    expect(report).toMatchObject({ threads: 1, corrected: 1, removed: 1 });
    expect(readModelRows(kit.db)).toEqual(live);
    expect(searchHits(kit.db, ftsQuery('flamingos') as string).messages).toHaveLength(1);
    expect(searchHits(kit.db, ftsQuery('tampered') as string).messages).toHaveLength(0);
  });
});
