import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorCode, Role, UserId, WorkspaceId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import { INVITATION_TTL_MS } from './invitations.js';
import { makeKit, type Kit } from './test-kit.js';

let kit: Kit;
beforeEach(() => {
  kit = makeKit();
});
afterEach(() => kit.close());

async function rejectsWith(promise: Promise<unknown>, code: ApiErrorCode): Promise<void> {
  const err: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(code);
}

/** `member.invite` as `owner`; returns the verdict and the token the mail seam got. */
async function invite(owner: UserId, ws: WorkspaceId, email: string, role: Role = 'editor') {
  const [verdict] = await kit.submit(owner, {
    type: 'member.invite',
    args: { workspaceId: ws, email, role },
  });
  if (verdict?.status !== 'accepted') throw new Error(JSON.stringify(verdict));
  const sent = kit.sent.find((i) => i.invitationId === verdict.result.invitationId);
  if (!sent) throw new Error('not sent');
  return { verdict, token: sent.token, sent };
}

const titles = (u: UserId) => kit.governance.inbox(u).map((n) => n.title);

describe('invitations', () => {
  it('answer the inviter alike whether the address has an account, and join nobody', async () => {
    const owner = kit.user('owner');
    const ws = kit.workspaces.create(owner, 'Team').id;
    const bob = kit.user('bob');
    const existing = await invite(owner, ws, 'bob@example.com');
    const unknown = await invite(owner, ws, 'nobody@example.com');
    const shape = (v: typeof existing.verdict) =>
      v.status === 'accepted' ? { ...v.result, email: '', invitationId: '', expiresAt: 0 } : v;
    expect(shape(existing.verdict)).toEqual(shape(unknown.verdict));
    expect(existing.verdict.result).toMatchObject({ status: 'invited', role: 'editor' });
    expect(kit.workspaces.roleOf(bob, ws)).toBeNull();
    // Both go to the mail seam; the account that exists also finds it in its inbox, link and all.
    expect(kit.sent.map((i) => i.email)).toEqual(['bob@example.com', 'nobody@example.com']);
    expect(existing.sent).toMatchObject({ workspaceName: 'Team', inviterName: 'owner', role: 'editor' });
    expect(existing.token).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    expect(kit.governance.inbox(bob)).toMatchObject([
      { title: 'owner invited you to join Team as editor', link: `/invitations/${existing.token}` },
    ]);
    // Owners see both as pending, never as members.
    expect(kit.workspaces.get(ws, owner).invitations?.map((i) => i.email)).toEqual([
      'bob@example.com',
      'nobody@example.com',
    ]);
  });

  it('is accepted by the account with the invited address only, once, and audited', async () => {
    const owner = kit.user('owner');
    const ws = kit.workspaces.create(owner, 'Team').id;
    const bob = kit.user('bob');
    const mallory = kit.user('mallory');
    const { token } = await invite(owner, ws, 'bob@example.com', 'editor');
    expect(await kit.invitations.lookup(token)).toMatchObject({
      workspace: { id: ws, name: 'Team' },
      invitedBy: { id: owner, name: 'owner' },
      email: 'bob@example.com',
      role: 'editor',
    });
    await rejectsWith(
      kit.invitations.accept(token, { id: mallory, email: 'mallory@example.com' }),
      'forbidden',
    );
    expect(kit.workspaces.roleOf(mallory, ws)).toBeNull();
    kit.memberships.length = 0;
    expect(await kit.invitations.accept(token, { id: bob, email: 'bob@example.com' })).toEqual({
      workspaceId: ws,
      role: 'editor',
    });
    expect(kit.workspaces.roleOf(bob, ws)).toBe('editor');
    expect(kit.memberships).toEqual([{ workspaceId: ws, userId: bob, role: 'editor' }]);
    expect(kit.hub.doc(`workspace:${ws}`).getMap('members').has(bob)).toBe(true);
    expect(titles(owner)).toContain('bob accepted your invitation to Team');
    expect(kit.governance.audit(owner, ws).map((e) => [e.type, e.actor])).toEqual([
      ['member.invite', owner],
      ['invitation.accept', bob],
    ]);
    await rejectsWith(kit.invitations.accept(token, { id: bob, email: 'bob@example.com' }), 'gone');
    await rejectsWith(kit.invitations.lookup(token), 'gone');
    await rejectsWith(kit.invitations.lookup('inv_never-issued'), 'not-found');
  });

  it('cannot be used once replaced, declined, expired, or when its owner is no longer one', async () => {
    const owner = kit.user('owner');
    const ws = kit.workspaces.create(owner, 'Team').id;
    const first = await invite(owner, ws, 'bob@example.com', 'viewer');
    const second = await invite(owner, ws, 'bob@example.com', 'editor');
    await rejectsWith(kit.invitations.lookup(first.token), 'gone');
    expect(await kit.invitations.lookup(second.token)).toMatchObject({ role: 'editor' });
    expect(kit.workspaces.get(ws, owner).invitations).toMatchObject([
      { email: 'bob@example.com', role: 'editor' },
    ]);

    await kit.invitations.decline(second.token);
    await rejectsWith(kit.invitations.lookup(second.token), 'gone');
    expect(titles(owner)).toContain('bob@example.com declined your invitation to Team');
    expect(kit.workspaces.get(ws, owner).invitations).toEqual([]);

    const later = await invite(owner, ws, 'carol@example.com');
    kit.clock.now += INVITATION_TTL_MS;
    await rejectsWith(kit.invitations.lookup(later.token), 'gone');
    expect(kit.workspaces.get(ws, owner).invitations).toEqual([]);

    const co = kit.user('co');
    await kit.join(owner, ws, co, 'owner');
    const fromCo = await invite(co, ws, 'dave@example.com');
    await kit.submit(owner, {
      type: 'member.setRole',
      args: { workspaceId: ws, userId: co, role: 'viewer' },
    });
    await rejectsWith(kit.invitations.lookup(fromCo.token), 'gone');
  });

  it('refuses to invite a member (their role is member.setRole’s) and reaches a user who muted info', async () => {
    const owner = kit.user('owner');
    const ws = kit.workspaces.create(owner, 'Team').id;
    const bob = kit.user('bob');
    await kit.join(owner, ws, bob, 'viewer');
    const [again] = await kit.submit(owner, {
      type: 'member.invite',
      args: { workspaceId: ws, email: 'bob@example.com', role: 'owner' },
    });
    expect(again).toMatchObject({ status: 'rejected', code: 'already-member' });
    expect(kit.workspaces.roleOf(bob, ws)).toBe('viewer');

    const carol = kit.user('carol');
    await kit.submit(carol, { type: 'prefs.set', args: { mutedKinds: ['info'] } });
    await invite(owner, ws, 'carol@example.com');
    expect(titles(carol)).toEqual(['owner invited you to join Team as editor']);
  });
});
