import { describe, expect } from 'vitest';
import * as Y from 'yjs';
import { decodeRefusal, newId } from '@caucus/schema';
import { setRole, api, signupMember } from '../support/server.js';
import { it } from '../support/e2e.js';
import { nextDenied, synced, until, type TestClient } from '../support/providers.js';
import { upgradeStatus } from '../support/upgrade.js';

describe('sync with the official y-websocket client', () => {
  it('seeds a new thread document with its title', async ({ owner, connect }) => {
    const a = connect(owner.accessToken);
    await synced(a);
    await until(a.doc, () => a.doc.getMap('meta').get('title') === 'A thread');
    expect(a.doc.getMap('meta').get('title')).toBe('A thread');
  });

  it('converges two providers, and a third joining late gets everything', async ({
    owner,
    editor,
    connect,
  }) => {
    const a = connect(owner.accessToken);
    const b = connect(editor.accessToken);
    await Promise.all([synced(a), synced(b)]);
    a.doc.getText('body').insert(0, 'hello ');
    b.doc.getText('body').insert(0, 'world ');
    await until(a.doc, () => a.doc.getText('body').length === 12);
    await until(b.doc, () => b.doc.getText('body').length === 12);
    expect(a.doc.getText('body').toJSON()).toBe(b.doc.getText('body').toJSON());

    const late = connect(editor.accessToken);
    await synced(late);
    await until(late.doc, () => late.doc.getText('body').length === 12);
    expect(late.doc.getText('body').toJSON()).toBe(a.doc.getText('body').toJSON());
    expect(Y.encodeStateVector(late.doc)).toEqual(Y.encodeStateVector(a.doc));
  });

  it("refuses a viewer's edit with PermissionDenied, and it reaches nobody", async ({
    ts,
    owner,
    editor,
    viewer,
    threadId,
    connect,
  }) => {
    const writer = connect(owner.accessToken);
    const watcher = connect(editor.accessToken);
    const v = connect(viewer.accessToken);
    await Promise.all([synced(writer), synced(watcher), synced(v)]);
    const denied = nextDenied(v);
    v.doc.getText('body').insert(0, 'VIEWER WAS HERE ');
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
    // The server answered the viewer before this later edit, so had it relayed the viewer's
    // edit, the watcher would see it first.
    writer.doc.getMap('meta').set('intent', 'after the viewer');
    await until(watcher.doc, () => watcher.doc.getMap('meta').get('intent') === 'after the viewer');
    expect(watcher.doc.getText('body').toJSON()).not.toContain('VIEWER');
    const stored = await ts.server.hub.read(
      `thread:${threadId}` as never,
      { kind: 'thread', id: threadId as never },
      (d) => d.getText('body').toJSON(),
    );
    expect(stored).not.toContain('VIEWER');
  });

  it('lets a viewer read and stay connected after its sync (no false refusals)', async ({
    viewer,
    connect,
  }) => {
    const v = connect(viewer.accessToken);
    await synced(v);
    await until(v.doc, () => v.doc.getMap('meta').get('title') === 'A thread');
    expect(v.denied).toEqual([]);
  });

  it('answers bad upgrades with 401 and 403', async ({ ts, owner, editor, outsider, threadId }) => {
    const doc = `${ts.wsUrl}/thread:${threadId}`;
    expect(await upgradeStatus(doc)).toBe(401);
    expect(await upgradeStatus(`${doc}?token=not-a-token`)).toBe(401);
    expect(await upgradeStatus(`${doc}?token=${outsider.accessToken}`)).toBe(403);
    expect(await upgradeStatus(`${doc}?token=${owner.accessToken}`, { origin: 'https://evil.example' })).toBe(
      403,
    );
    expect(await upgradeStatus(`${ts.wsUrl}/inbox:${owner.id}?token=${editor.accessToken}`)).toBe(403);
    expect(await upgradeStatus(`${ts.wsUrl}/not-a-doc?token=${owner.accessToken}`)).toBe(400);
    expect(await upgradeStatus(`${doc}`, { authorization: `Bearer ${owner.accessToken}` })).toBe(101);
    expect(await upgradeStatus(`${ts.wsUrl}/inbox:${owner.id}?token=${owner.accessToken}`)).toBe(101);
    expect(await upgradeStatus(`${doc}?token=${owner.accessToken}`, { origin: ts.url })).toBe(101);
  });

  it('applies a role change to open connections at once', async ({ ts, owner, connect }) => {
    const demoted = await signupMember(ts.url, owner, 'demoted', 'editor');
    const c = connect(demoted.accessToken);
    const watcher = connect(owner.accessToken);
    await Promise.all([synced(c), synced(watcher)]);
    c.doc.getMap('meta').set('intent', 'while an editor');
    await until(watcher.doc, () => watcher.doc.getMap('meta').get('intent') === 'while an editor');
    await setRole(ts.url, owner, owner.workspaceId, demoted, 'viewer');
    const denied = nextDenied(c);
    c.doc.getMap('meta').set('intent', 'after the demotion');
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
    expect(c.provider.wsconnected).toBe(true);
  });

  it('keeps server-only documents read-only for every client, and nothing changes', async ({
    ts,
    owner,
    outsider,
    threadId,
    connect,
  }) => {
    const decisionId = newId();
    const proposed = await api<{ results: Array<{ status: string }> }>(ts.url, 'POST', '/api/intents', {
      token: owner.accessToken,
      body: {
        intents: [{ id: newId(), type: 'decision.propose', args: { decisionId, threadId, title: 'D' } }],
      },
    });
    expect(proposed.body.results[0]?.status).toBe('accepted');
    const docs = [`workspace:${owner.workspaceId}`, `inbox:${owner.id}`, `decision:${decisionId}`];
    const [c, inbox, decision] = docs.map((name) => connect(owner.accessToken, name)) as [
      TestClient,
      TestClient,
      TestClient,
    ];
    await Promise.all([synced(c), synced(inbox), synced(decision)]);
    const denied = Promise.all([nextDenied(c), nextDenied(inbox), nextDenied(decision)]);
    c.doc.getMap('members').set(outsider.id, { userId: outsider.id, name: 'outsider', role: 'owner' });
    inbox.doc.getMap('notifications').set('forged', { id: 'forged', kind: 'info', title: 'forged' });
    decision.doc.getMap('decision').set('status', 'resolved');
    const reasons = await denied;
    expect(reasons.map((r) => decodeRefusal(r)?.code)).toEqual(['read-only', 'read-only', 'read-only']);
    // Fresh clients see the server's documents without any of it.
    const [c2, inbox2, decision2] = docs.map((name) => connect(owner.accessToken, name)) as [
      TestClient,
      TestClient,
      TestClient,
    ];
    await Promise.all([synced(c2), synced(inbox2), synced(decision2)]);
    expect(c2.doc.getMap('members').has(outsider.id)).toBe(false);
    expect(c2.doc.getMap('members').has(owner.id)).toBe(true);
    expect(inbox2.doc.getMap('notifications').has('forged')).toBe(false);
    expect(decision2.doc.getMap('decision').get('status')).toBe('open');
  });
});
