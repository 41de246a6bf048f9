import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  newId,
  type DecisionId,
  type InboxNotification,
  type NotificationId,
  type UserId,
} from '@caucus/schema';
import { mentionsIn } from './mentions.js';
import { makeKit, type Kit } from './test-kit.js';

let kit: Kit;
beforeEach(() => {
  kit = makeKit();
});
afterEach(() => kit.close());

function inbox(userId: UserId): InboxNotification[] {
  const map = kit.hub.doc(`inbox:${userId}`).getMap<InboxNotification>('notifications');
  return [...map.values()].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

describe('published documents', () => {
  it('decision:<id> carries the state and history; workspace:<id> the members and open decisions', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = newId<DecisionId>();
    await kit.submit(t.editor, {
      type: 'decision.propose',
      args: { decisionId, threadId, title: 'Lunch', options: ['pizza', 'salad'], dueAt: 5 },
    });
    const doc = kit.hub.doc(`decision:${decisionId}`);
    expect(doc.getMap('decision').toJSON()).toMatchObject({
      id: decisionId,
      threadId,
      workspaceId: t.ws,
      title: 'Lunch',
      status: 'open',
      options: ['pizza', 'salad'],
      outcome: null,
      dueAt: 5,
      version: 1,
      approvals: [],
      pendingCheckpointId: null,
    });
    const ws = kit.hub.doc(`workspace:${t.ws}`);
    expect(ws.getMap('decisions').get(decisionId)).toMatchObject({
      title: 'Lunch',
      status: 'open',
      approvals: 0,
    });
    expect(ws.getMap('members').get(t.viewer)).toEqual({
      userId: t.viewer,
      name: 't1viewer',
      role: 'viewer',
    });

    await kit.submit(t.approver, { type: 'decision.approve', args: { decisionId } });
    await kit.submit(t.approver2, { type: 'decision.resolve', args: { decisionId, outcome: 'salad' } });
    expect(doc.getMap('decision').get('status')).toBe('resolved');
    expect(doc.getMap('decision').get('outcome')).toBe('salad');
    expect(
      doc
        .getArray('history')
        .toJSON()
        .map((h: { action: string }) => h.action),
    ).toEqual(['proposed', 'approved', 'resolved']);
    expect(ws.getMap('decisions').has(decisionId)).toBe(false);
  });

  it('rebuilds every document from SQLite', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = newId<DecisionId>();
    await kit.submit(t.editor, { type: 'decision.propose', args: { decisionId, threadId, title: 'Lunch' } });
    await kit.submit(t.approver, {
      type: 'decision.defer',
      args: { decisionId, reason: 'after the offsite' },
    });
    const before = new Map([...kit.hub.docs].map(([name, doc]) => [name, doc.toJSON()]));
    // A forged or lost document state: the rebuild makes it match the rows again.
    kit.hub.docs.clear();
    const forged = new Y.Doc();
    forged.getMap('decision').set('status', 'resolved');
    forged.getMap('decision').set('forged', true);
    kit.hub.docs.set(`decision:${decisionId}` as never, forged);
    await kit.governance.rebuild();
    const after = new Map([...kit.hub.docs].map(([name, doc]) => [name, doc.toJSON()]));
    expect(after).toEqual(before);
    expect(after.get(`decision:${decisionId}` as never)).toMatchObject({
      decision: { status: 'deferred', deferReason: 'after the offsite' },
    });
  });

  it('inbox:<userId>: notifications keyed by id, read state, mark all read, muted kinds', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    for (const title of ['A', 'B']) {
      await kit.submit(t.editor, {
        type: 'decision.propose',
        args: { decisionId: newId<DecisionId>(), threadId, title },
      });
    }
    const notes = inbox(t.viewer);
    expect(notes.map((n) => [n.kind, n.title])).toEqual([
      // Joining is the viewer's own act now (accepting the invitation), so what is left of it in the
      // inbox is the invitation, whose link carries the token.
      ['info', expect.stringMatching(/^t\d+owner invited you to join Team as viewer$/)],
      ['info', 'New decision: “A”'],
      ['info', 'New decision: “B”'],
    ]);
    expect(kit.governance.inbox(t.viewer).map((n) => n.id)).toEqual(notes.map((n) => n.id).reverse());
    expect(notes.every((n) => n.readAt === undefined && n.link.startsWith('/'))).toBe(true);
    expect(notes[1]?.link).toMatch(/^\/decisions\//);

    const [marked] = await kit.submit(t.viewer, {
      type: 'inbox.markRead',
      args: { notificationIds: [notes[1]?.id as NotificationId, 'not-mine'] },
    });
    expect(marked).toMatchObject({ status: 'accepted', result: { marked: 1 } });
    expect(inbox(t.viewer).map((n) => n.readAt !== undefined)).toEqual([false, true, false]);
    expect(kit.governance.inbox(t.viewer, { unread: true })).toHaveLength(2);
    // Someone else's ids are ignored.
    const [foreign] = await kit.submit(t.editor, {
      type: 'inbox.markRead',
      args: { notificationIds: [notes[2]?.id as NotificationId] },
    });
    expect(foreign).toMatchObject({ result: { marked: 0 } });
    await kit.submit(t.viewer, { type: 'inbox.markAllRead', args: {} });
    expect(inbox(t.viewer).map((n) => n.readAt)).toEqual([
      expect.any(Number),
      expect.any(Number),
      kit.clock.now,
    ]);

    await kit.submit(t.viewer, { type: 'prefs.set', args: { mutedKinds: ['info'] } });
    expect(kit.hub.doc(`inbox:${t.viewer}`).getMap('prefs').get('mutedKinds')).toEqual(['info']);
    await kit.submit(t.viewer, {
      type: 'prefs.set',
      args: { mutedKinds: ['info'], delivery: { checkpoint: 'in-app', error: 'email' } },
    });
    expect(kit.hub.doc(`inbox:${t.viewer}`).getMap('prefs').get('delivery')).toEqual({
      info: 'in-app',
      success: 'in-app',
      warning: 'both',
      error: 'email',
      checkpoint: 'in-app',
    });
    await kit.submit(t.editor, {
      type: 'decision.propose',
      args: { decisionId: newId<DecisionId>(), threadId, title: 'C' },
    });
    expect(inbox(t.viewer)).toHaveLength(3);
    expect(inbox(t.approver)).toHaveLength(4);
  });

  it('notifyThreadMembers: once per dedupe key, never the excepted user', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const note = {
      kind: 'info' as const,
      title: 'report.pdf was added',
      link: `/threads/${threadId}`,
      dedupeKey: 'upload:u1',
    };
    const first = await kit.governance.notifyThreadMembers(threadId, note, { except: t.editor });
    expect(new Set(first)).toEqual(new Set([t.owner, t.approver, t.approver2, t.viewer]));
    expect(await kit.governance.notifyThreadMembers(threadId, note, { except: t.editor })).toEqual([]);
    expect(inbox(t.owner).filter((n) => n.title === 'report.pdf was added')).toHaveLength(1);
    expect(inbox(t.editor).some((n) => n.title === 'report.pdf was added')).toBe(false);
    expect(await kit.governance.notifyThreadMembers('nope' as never, note)).toEqual([]);
  });
});

describe('@mentions', () => {
  it('finds @<userId> mentions, not emails, each once', () => {
    expect(mentionsIn('hi @abc-1 and @abc-1, mail bob@example.com, (@x_y)')).toEqual(['abc-1', 'x_y']);
  });

  it('notifies mentioned members of new and edited messages once, never the author or outsiders', async () => {
    const t = await kit.team();
    const outsider = kit.user('outsider');
    const threadId = await kit.thread(t.editor, t.ws, 'Roadmap');
    const ydoc = new Y.Doc();
    const messages = ydoc.getArray<Y.Map<unknown>>('messages');
    const commit = (fn: () => void) => {
      const updates: Uint8Array[] = [];
      const collect = (u: Uint8Array) => updates.push(u);
      ydoc.on('update', collect);
      fn();
      ydoc.off('update', collect);
      kit.hub.commit({ kind: 'thread', id: threadId }, ydoc, Y.mergeUpdates(updates));
    };
    const message = new Y.Map<unknown>();
    commit(() => {
      message.set('id', 'm1');
      message.set('author', t.editor);
      message.set('text', `@${t.viewer} @${t.editor} @${outsider} look`);
      message.set('at', 1);
      messages.push([message]);
    });
    await kit.governance.idle();
    const mentioned = (u: UserId) => kit.governance.inbox(u).filter((n) => n.title.includes('mentioned you'));
    expect(mentioned(t.viewer)).toHaveLength(1);
    expect(mentioned(t.viewer)[0]).toMatchObject({
      title: 't1editor mentioned you in “Roadmap”',
      link: `/threads/${threadId}`,
    });
    expect(mentioned(t.editor)).toHaveLength(0);
    expect(mentioned(outsider)).toHaveLength(0);

    commit(() => message.set('text', `@${t.viewer} and now @${t.approver}`));
    await kit.governance.idle();
    expect(mentioned(t.viewer)).toHaveLength(1);
    expect(mentioned(t.approver)).toHaveLength(1);
    commit(() => ydoc.getText('body').insert(0, `@${t.owner} in the notes is not a message`));
    expect(mentioned(t.owner)).toHaveLength(0);
  });
});
