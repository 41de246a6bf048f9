import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyDecisionEvent,
  decide,
  newId,
  POLICY_VERSION,
  proposeDecision,
  tables,
  type DecisionId,
  type DecisionState,
  type IntentId,
  type ThreadId,
  type UserId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import { verifyAuditChain } from './audit.js';
import { loadDecision } from './decision-store.js';
import { makeKit, type Kit } from './test-kit.js';

let kit: Kit;
beforeEach(() => {
  kit = makeKit();
});
afterEach(() => kit.close());

const rows = (table: typeof tables.decisions | typeof tables.auditEvents | typeof tables.notifications) =>
  kit.db.select({ n: count() }).from(table).get()?.n ?? 0;

async function proposed(actor: UserId, threadId: ThreadId, extra: Record<string, unknown> = {}) {
  const decisionId = newId<DecisionId>();
  const [r] = await kit.submit(actor, {
    type: 'decision.propose',
    args: { decisionId, threadId, title: 'Lunch', ...extra },
  });
  expect(r?.status).toBe('accepted');
  return decisionId;
}

describe('idempotency', () => {
  it('acts once for the same intent sent twice, in one batch or two, and returns the same verdict', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const intent = {
      id: newId<IntentId>(),
      type: 'decision.propose' as const,
      args: { decisionId: newId<DecisionId>(), threadId, title: 'Lunch' },
    };
    const before = {
      decisions: rows(tables.decisions),
      audit: rows(tables.auditEvents),
      notes: rows(tables.notifications),
    };
    const [first, again] = await kit.governance.submit(t.editor, [intent, intent]);
    const [third] = await kit.governance.submit(t.editor, [intent]);
    expect(first).toMatchObject({ id: intent.id, status: 'accepted' });
    expect(again).toEqual(first);
    expect(third).toEqual(first);
    expect(rows(tables.decisions)).toBe(before.decisions + 1);
    expect(rows(tables.auditEvents)).toBe(before.audit + 1);
    // Four other members of the team were told once each.
    expect(rows(tables.notifications)).toBe(before.notes + 4);
  });

  it('refuses the same id with other content, or from another user, without acting or leaking', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const id = newId<IntentId>();
    const args = { decisionId: newId<DecisionId>(), threadId, title: 'Lunch' };
    await kit.submit(t.editor, { id, type: 'decision.propose', args });
    const [changed] = await kit.submit(t.editor, {
      id,
      type: 'decision.propose',
      args: { ...args, title: 'Dinner' },
    });
    expect(changed).toMatchObject({ id, status: 'rejected', code: 'id-conflict' });
    const [stolen] = await kit.submit(t.approver, { id, type: 'decision.propose', args });
    expect(stolen).toMatchObject({ status: 'rejected', code: 'id-conflict' });
    expect(stolen).not.toHaveProperty('result');
    expect(loadDecision(kit.db, args.decisionId)?.title).toBe('Lunch');
    expect(() => kit.governance.getIntent(t.approver, id)).toThrow(ApiError);
    expect(kit.governance.getIntent(t.editor, id).verdict.status).toBe('accepted');
  });

  it('gives one effect when two approvers race to approve the same checkpoint', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await proposed(t.editor, threadId);
    const [asked] = await kit.submit(t.editor, {
      type: 'decision.resolve',
      args: { decisionId, outcome: 'pizza' },
    });
    if (asked?.status !== 'awaiting-approval') throw new Error(JSON.stringify(asked));
    const approve = { type: 'checkpoint.approve' as const, args: { checkpointId: asked.checkpointId } };
    const [[a], [b]] = await Promise.all([kit.submit(t.approver, approve), kit.submit(t.approver2, approve)]);
    expect([a?.status, b?.status].sort()).toEqual(['accepted', 'rejected']);
    const loser = a?.status === 'rejected' ? a : b;
    expect(loser).toMatchObject({ code: 'invalid-transition' });
    const decision = loadDecision(kit.db, decisionId);
    expect(decision?.status).toBe('resolved');
    expect(decision?.history.filter((h) => h.action === 'resolved')).toHaveLength(1);
    const told = kit.governance.inbox(t.editor).filter((n) => n.title.startsWith('Approved:'));
    expect(told).toHaveLength(1);
  });

  it('gives one effect when two approvers race to resolve', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await proposed(t.editor, threadId);
    const resolve = (outcome: string) => ({
      type: 'decision.resolve' as const,
      args: { decisionId, outcome },
    });
    const [[a], [b]] = await Promise.all([
      kit.submit(t.approver, resolve('pizza')),
      kit.submit(t.approver2, resolve('salad')),
    ]);
    expect(a?.status).toBe('accepted');
    expect(b).toMatchObject({ status: 'rejected', code: 'invalid-transition' });
    expect(loadDecision(kit.db, decisionId)?.outcome).toBe('pizza');
  });
});

describe('offline replay', () => {
  it('adjudicates a queued batch in order; stale intents are rejected with a remedy', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const shared = await proposed(t.editor, threadId);

    // Offline, the approver saw `shared` at version 1 (open) and queued intents, predicting with
    // the policy the versions its own intents produce.
    const seen = loadDecision(kit.db, shared) as DecisionState;
    const fresh = newId<DecisionId>();
    const mine = proposeDecision({ id: fresh, workspaceId: t.ws, threadId, title: 'Mine' }, t.approver, 0);
    const afterApprove = applyDecisionEvent(mine, { action: 'approve' }, t.approver, 0) as DecisionState;
    const queue = [
      { type: 'decision.propose' as const, args: { decisionId: fresh, threadId, title: 'Mine' } },
      { type: 'decision.approve' as const, args: { decisionId: fresh }, basis: { version: mine.version } },
      {
        type: 'decision.resolve' as const,
        args: { decisionId: fresh, outcome: 'done' },
        basis: { version: afterApprove.version, status: afterApprove.status },
      },
      {
        type: 'decision.resolve' as const,
        args: { decisionId: shared, outcome: 'pizza' },
        basis: { version: seen.version, status: seen.status },
      },
    ];
    // Meanwhile, online, another approver deferred the shared decision.
    const [deferred] = await kit.submit(t.approver2, {
      type: 'decision.defer',
      args: { decisionId: shared },
    });
    expect(deferred?.status).toBe('accepted');

    const results = await kit.submit(t.approver, ...queue);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'rejected']);
    expect(results[3]).toMatchObject({ code: 'stale' });
    const stale = results[3];
    if (stale?.status !== 'rejected') throw new Error('expected stale');
    expect(stale.reason).toMatch(/you saw open, version 1; it is now deferred, version 2/);
    expect(stale.remedy).toMatch(/reload decision/);
    expect(loadDecision(kit.db, fresh)).toMatchObject({ status: 'resolved', outcome: 'done', version: 3 });
    expect(loadDecision(kit.db, shared)?.status).toBe('deferred');
    // The stale verdict also waits in the approver's inbox, for an outbox that drained unattended.
    expect(kit.governance.inbox(t.approver, { unread: true })[0]?.title).toMatch(/^Not done: resolve/);
  });

  it('matches what a client previews with the same policy', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await proposed(t.editor, threadId, { requiredApprovals: 2 });
    const state = {
      role: 'approver' as const,
      decision: loadDecision(kit.db, decisionId),
      pendingCheckpoint: null,
    };
    const intent = {
      id: newId<IntentId>(),
      type: 'decision.resolve' as const,
      args: { decisionId, outcome: 'x' },
    };
    const preview = decide({ userId: t.approver }, state, intent);
    expect(preview.status).toBe('escalate');
    const [verdict] = await kit.governance.submit(t.approver, [intent]);
    expect(verdict?.status).toBe('awaiting-approval');
  });

  it('keeps going after a malformed intent in a batch', async () => {
    const t = await kit.team();
    const results = await kit.governance.submit(t.owner, [
      { id: 'bad', type: 'decision.explode', args: {} },
      { id: newId(), type: 'inbox.markAllRead', args: {} },
    ]);
    expect(results[0]).toMatchObject({ id: 'bad', status: 'rejected', code: 'invalid-intent' });
    expect(results[1]?.status).toBe('accepted');
  });
});

describe('the audit log', () => {
  it('records every verdict with actor, intent and policy version, chained by hash', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await proposed(t.editor, threadId);
    await kit.submit(t.viewer, { type: 'decision.resolve', args: { decisionId, outcome: 'x' } });
    await kit.governance.submit(t.viewer, [{ nonsense: true }]);
    const events = kit.governance.audit(t.owner, t.ws);
    expect(events.map((e) => [e.type, e.verdict.status])).toEqual([
      // Each member was invited and accepted: the acceptance is in the chain too.
      ...Array.from({ length: 4 }, () => [
        ['member.invite', 'accepted'],
        ['invitation.accept', 'accepted'],
      ]).flat(),
      ['thread.create', 'accepted'],
      ['decision.propose', 'accepted'],
      ['decision.resolve', 'rejected'],
    ]);
    expect(events[1]).toMatchObject({
      actor: t.approver,
      intentId: null,
      verdict: { result: { joined: true } },
    });
    expect(events[10]).toMatchObject({
      actor: t.viewer,
      policyVersion: POLICY_VERSION,
      verdict: { code: 'forbidden' },
    });
    expect(events[10]?.intent).toMatchObject({
      type: 'decision.resolve',
      args: { decisionId, outcome: 'x' },
    });
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    // The malformed intent is in the chain too (with no workspace, so not in this listing).
    expect(verifyAuditChain(kit.db)).toEqual({ ok: true, events: 12 });
    expect(() => kit.governance.audit(t.approver, t.ws)).toThrow(/owners/);
  });

  it('detects a changed, a removed and a re-hashed event', async () => {
    const t = await kit.team();
    for (let i = 0; i < 4; i++) await kit.thread(t.editor, t.ws, `T${i}`);
    const sqlite = kit.db.$client;
    const snapshot = sqlite.prepare('SELECT * FROM audit_events WHERE seq = 2').get() as Record<
      string,
      unknown
    >;

    sqlite.prepare(`UPDATE audit_events SET actor = ? WHERE seq = 2`).run(t.viewer);
    expect(verifyAuditChain(kit.db)).toMatchObject({ ok: false, brokenAt: { seq: 2 }, events: 1 });

    sqlite.prepare(`UPDATE audit_events SET actor = ? WHERE seq = 2`).run(snapshot.actor);
    expect(verifyAuditChain(kit.db).ok).toBe(true);

    sqlite.prepare('DELETE FROM audit_events WHERE seq = 3').run();
    expect(verifyAuditChain(kit.db)).toMatchObject({ ok: false, brokenAt: { seq: 4 } });
  });
});

describe('limits', () => {
  it('rate-limits intents per user, all or nothing per batch', async () => {
    kit.close();
    kit = makeKit({ rate: { perSecond: 1, burst: 3 } });
    const t = { owner: kit.user('owner'), editor: kit.user('editor') };
    const markAll = { type: 'inbox.markAllRead' as const, args: {} };
    await kit.submit(t.owner, markAll, markAll);
    await expect(kit.submit(t.owner, markAll, markAll)).rejects.toMatchObject({ code: 'rate-limited' });
    await kit.submit(t.owner, markAll);
    await expect(kit.submit(t.owner, markAll)).rejects.toMatchObject({ code: 'rate-limited' });
    await kit.submit(t.editor, markAll);
    kit.clock.now += 1_000;
    await expect(kit.submit(t.owner, markAll)).resolves.toHaveLength(1);
    expect(
      kit.db.select({ n: count() }).from(tables.intents).where(eq(tables.intents.actor, t.owner)).get()?.n,
    ).toBe(4);
  });
});
