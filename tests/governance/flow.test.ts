/**
 * The governance story end to end, as DESIGN §4 tells it: a viewer's resolve is rejected with a
 * code; an editor's becomes a checkpoint for the approvers; an approver's approval executes it;
 * each step reaches the right inboxes (read through the official y-websocket client) and the
 * audit log, whose hash chain `caucus admin verify-audit` checks. The server and the members are
 * the e2e fixture's, with an approver beside them and the editor's thread “Release 2.0”.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect } from 'vitest';
import { newId, type DecisionDocFields } from '@caucus/schema';
import { verifyAudit } from '../../packages/cli/src/commands/admin.js';
import { test } from '../support/e2e.js';
import { synced, until, type TestClient } from '../support/providers.js';
import { api, createThread, signupMember } from '../support/server.js';
import { notifications, notified, one } from './support.js';
import { runCaucus } from '../cli/support.js';

const it = test.extend('approver', { scope: 'file' }, async ({ ts, owner }) => {
  const approver = await signupMember(ts.url, owner, 'approver', 'approver');
  return approver;
});
it.override('threadId', ({ ts, owner, editor }) =>
  createThread(ts.url, editor, owner.workspaceId, 'Release 2.0'),
);

/** `client` once synced (a client of the fixture's `connect`, destroyed after the file). */
async function ready(client: TestClient): Promise<TestClient> {
  await synced(client);
  return client;
}

describe('governance end to end', () => {
  it('viewer rejected, editor escalated, approver executes; inboxes and audit follow', async ({
    ts,
    owner,
    approver,
    editor,
    viewer,
    threadId,
    connect,
  }) => {
    const inbox = {
      owner: await ready(connect(owner, `inbox:${owner.id}`)),
      approver: await ready(connect(approver, `inbox:${approver.id}`)),
      editor: await ready(connect(editor, `inbox:${editor.id}`)),
      viewer: await ready(connect(viewer, `inbox:${viewer.id}`)),
    };
    // The viewer joined by accepting an invitation, which reached its inbox document with its link.
    await notified(inbox.viewer, (n) => n.link.startsWith('/invitations/inv_'));

    // The editor proposes; the other members hear of it in their inbox documents.
    const decisionId = newId();
    const proposed = await one(ts, editor, {
      type: 'decision.propose',
      args: { decisionId, threadId, title: 'Ship it?', options: ['ship', 'wait'] },
    });
    expect(proposed).toMatchObject({ status: 'accepted', result: { decisionId } });
    for (const who of [inbox.owner, inbox.approver, inbox.viewer]) {
      const n = await notified(who, (x) => x.title === 'New decision: “Ship it?”');
      expect(n).toMatchObject({
        kind: 'info',
        link: `/decisions/${decisionId}`,
        body: 'editor proposed it in “Release 2.0”.',
      });
    }
    expect(notifications(inbox.editor).some((n) => n.title.startsWith('New decision'))).toBe(false);
    const decision = await ready(connect(viewer, `decision:${decisionId}`));
    const state = () => decision.doc.getMap('decision').toJSON() as DecisionDocFields;
    expect(state()).toMatchObject({ status: 'open', title: 'Ship it?', version: 1 });

    // 1. A viewer may not resolve, nor ask to: rejected with a code.
    const viewerIntent = newId();
    const refused = await one(ts, viewer, {
      id: viewerIntent,
      type: 'decision.resolve',
      args: { decisionId, outcome: 'ship' },
    });
    expect(refused).toMatchObject({ status: 'rejected', code: 'forbidden' });
    await notified(
      inbox.viewer,
      (n) => n.kind === 'error' && n.title === 'Not done: resolve “Ship it?” as “ship”',
    );

    // 2. An editor may ask: a checkpoint in the approvers' inboxes.
    const asked = await one(ts, editor, { type: 'decision.resolve', args: { decisionId, outcome: 'ship' } });
    if (asked.status !== 'awaiting-approval') throw new Error(JSON.stringify(asked));
    const { checkpointId } = asked;
    for (const who of [inbox.approver, inbox.owner]) {
      const request = await notified(who, (n) => n.kind === 'checkpoint');
      expect(request).toMatchObject({
        title: 'Approval needed: editor wants to resolve “Ship it?” as “ship”',
        link: `/checkpoints/${checkpointId}`,
      });
      expect(request.readAt).toBeUndefined();
    }
    expect(notifications(inbox.viewer).some((n) => n.kind === 'checkpoint')).toBe(false);
    await until(decision.doc, () => state().pendingCheckpointId === checkpointId);
    expect(state().status).toBe('open');

    // 3. The approver's approval executes it.
    const approved = await one(ts, approver, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(approved).toMatchObject({
      status: 'accepted',
      result: { checkpointId, status: 'executed', result: { decisionId, status: 'resolved' } },
    });
    await until(decision.doc, () => state().status === 'resolved');
    expect(state()).toMatchObject({ outcome: 'ship', resolvedBy: editor.id, pendingCheckpointId: null });
    expect(decision.doc.getArray('history').toJSON()).toMatchObject([
      { action: 'proposed', actor: editor.id },
      { action: 'resolved', actor: editor.id, outcome: 'ship', checkpointId },
    ]);
    await notified(
      inbox.editor,
      (n) => n.kind === 'success' && n.title === 'Approved: resolve “Ship it?” as “ship”',
    );
    // The owner's request is no longer a to-do.
    await until(inbox.owner.doc, () =>
      notifications(inbox.owner).some((n) => n.kind === 'checkpoint' && n.readAt !== undefined),
    );

    // Every step is in the owner's audit log.
    const audit = await api<{
      events: Array<{ actor: string; type: string; verdict: { status: string; code?: string } }>;
    }>(ts.url, 'GET', `/api/audit?workspaceId=${owner.workspaceId}`, { token: owner.accessToken });
    expect(
      audit.body.events.slice(-4).map((e) => [e.actor, e.type, e.verdict.status, e.verdict.code]),
    ).toEqual([
      [editor.id, 'decision.propose', 'accepted', undefined],
      [viewer.id, 'decision.resolve', 'rejected', 'forbidden'],
      [editor.id, 'decision.resolve', 'awaiting-approval', undefined],
      [approver.id, 'checkpoint.approve', 'accepted', undefined],
    ]);
    const forbidden = await api(ts.url, 'GET', `/api/audit?workspaceId=${owner.workspaceId}`, {
      token: approver.accessToken,
    });
    expect(forbidden.status).toBe(403);

    // verify-audit: intact, then a tampered row is found (function and CLI).
    expect(verifyAudit({ dataDir: ts.dataDir })).toMatchObject({ ok: true });
    const sqlite = new Database(join(ts.dataDir, 'caucus.db'));
    try {
      const row = sqlite.prepare('SELECT seq FROM audit_events WHERE intent_id = ?').get(viewerIntent) as {
        seq: number;
      };
      sqlite
        .prepare(`UPDATE audit_events SET verdict = replace(verdict, 'forbidden', 'accepted') WHERE seq = ?`)
        .run(row.seq);
      const report = verifyAudit({ dataDir: ts.dataDir });
      expect(report).toMatchObject({ ok: false, brokenAt: { seq: row.seq }, events: row.seq - 1 });
      const cli = await runCaucus(['admin', 'verify-audit', '--data-dir', ts.dataDir]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(`audit log BROKEN at event #${row.seq}`);
    } finally {
      sqlite.close();
    }
  });
});
