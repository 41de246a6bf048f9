import { describe, expect, it } from 'vitest';
import type { ThreadId, UserId, WorkspaceId } from '../ids.js';
import { parseIntent, type Intent, type IntentInput } from '../intents/intent.js';
import { conversationKey, conversationMembers } from '../intents/private-thread-intents.js';
import type { Role } from '../roles.js';
import { decide, type PolicyState, type Ruling, type ThreadView } from './decide.js';
import { conversationThread, roleInThread } from './private-threads.js';

const me = 'me' as UserId;
const bob = 'bob' as UserId;
const carol = 'carol' as UserId;
const ws = 'w1' as WorkspaceId;
const threadId = 't1' as ThreadId;

function intent(input: Omit<IntentInput, 'id'>): Intent {
  const parsed = parseIntent({ id: 'i1', ...input });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.intent;
}

function problem(input: Omit<IntentInput, 'id'>): string {
  const parsed = parseIntent({ id: 'i1', ...input });
  if (parsed.ok) throw new Error('expected it to be refused');
  return parsed.message;
}

const outcome = (ruling: Ruling) => (ruling.status === 'rejected' ? ruling.code : ruling.status);

const thread = (overrides: Partial<ThreadView> = {}): ThreadView => ({
  id: threadId,
  workspaceId: ws,
  status: 'active',
  visibility: 'private',
  createdBy: bob,
  ...overrides,
});

const add = (userId: UserId) => intent({ type: 'thread.addMember', args: { threadId, userId } });
const remove = (userId: UserId) => intent({ type: 'thread.removeMember', args: { threadId, userId } });
const open = (userIds: string[]) =>
  intent({ type: 'conversation.open', args: { threadId, workspaceId: ws, userIds } });

const rule = (role: Role | null, state: Omit<PolicyState, 'role'>, i: Intent, actor = me) =>
  outcome(decide({ userId: actor }, { role, ...state }, i));

describe('private thread intents', () => {
  it('normalizes: memberIds distinct and sorted, workspace visibility left out, members only when private', () => {
    const created = intent({
      type: 'thread.create',
      args: { threadId, workspaceId: ws, title: 'T', visibility: 'private', memberIds: ['c', 'a', 'c'] },
    });
    expect(created.args).toMatchObject({ visibility: 'private', memberIds: ['a', 'c'] });
    const plain = intent({
      type: 'thread.create',
      args: { threadId, workspaceId: ws, title: 'T', visibility: 'workspace' },
    });
    expect(plain.args).toEqual({ threadId, workspaceId: ws, title: 'T' });
    expect(
      problem({ type: 'thread.create', args: { threadId, workspaceId: ws, title: 'T', memberIds: ['a'] } }),
    ).toMatch(/memberIds: only private threads/);
    expect(problem({ type: 'conversation.open', args: { threadId, workspaceId: ws, userIds: [] } })).toMatch(
      /userIds/,
    );
  });

  it('identifies a conversation by its people, in any order and from any of them', () => {
    const fromMe = conversationKey(conversationMembers(me, [carol, bob]));
    const fromCarol = conversationKey(conversationMembers(carol, [me, bob, bob]));
    expect(fromMe).toBe(fromCarol);
    expect(fromMe).toBe('bob,carol,me');
    expect(conversationKey(conversationMembers(me, [bob]))).not.toBe(fromMe);
    const a = open(['carol', 'bob']);
    const b = open(['bob', 'carol', 'bob']);
    expect(a.args).toEqual(b.args);
  });

  it('gives a private thread no role to those outside it, owners included', () => {
    expect(roleInThread('owner', 'private', [bob], me)).toBeNull();
    expect(roleInThread('viewer', 'private', [me], me)).toBe('viewer');
    expect(roleInThread('editor', 'workspace', [], me)).toBe('editor');
    expect(roleInThread(null, 'private', [me], me)).toBeNull();
  });

  it('thread.create: a private thread names members of the workspace only', () => {
    const create = intent({
      type: 'thread.create',
      args: { threadId, workspaceId: ws, title: 'T', visibility: 'private', memberIds: ['bob', 'zed'] },
    });
    expect(rule('editor', { idTaken: false, strangers: ['zed' as UserId] }, create)).toBe('invalid-args');
    expect(rule('editor', { idTaken: false, strangers: [] }, create)).toBe('accepted');
    expect(rule('viewer', { idTaken: false, strangers: [] }, create)).toBe('forbidden');
  });

  it('thread.addMember: editors in the thread add members of the workspace, not to conversations', () => {
    const base = {
      thread: thread(),
      threadMembers: [me, bob],
      member: { userId: carol, role: 'viewer' as Role },
    };
    expect(rule('editor', base, add(carol))).toBe('accepted');
    expect(rule('viewer', base, add(carol))).toBe('forbidden');
    expect(rule(null, base, add(carol))).toBe('not-found');
    expect(rule('editor', { ...base, member: null }, add(carol))).toBe('not-found');
    expect(rule('editor', base, add(bob))).toBe('invalid-transition');
    expect(rule('owner', { ...base, thread: thread({ visibility: 'workspace' }) }, add(carol))).toBe(
      'invalid-args',
    );
    expect(rule('owner', { ...base, thread: thread({ conversation: true }) }, add(carol))).toBe(
      'invalid-transition',
    );
    expect(rule('owner', { ...base, thread: null }, add(carol))).toBe('not-found');
  });

  it('thread.removeMember: the creator or an owner removes, anyone leaves, one member stays', () => {
    const base = { thread: thread(), threadMembers: [me, bob, carol] };
    // I am not the creator: an editor cannot remove others, an owner can.
    expect(rule('editor', base, remove(carol))).toBe('forbidden');
    expect(rule('owner', base, remove(carol))).toBe('accepted');
    // The creator (bob) removes as an editor, not once demoted to viewer.
    expect(rule('editor', base, remove(carol), bob)).toBe('accepted');
    expect(rule('viewer', base, remove(carol), bob)).toBe('forbidden');
    // Anyone may leave.
    expect(rule('viewer', base, remove(me))).toBe('accepted');
    expect(rule('owner', base, remove('zed' as UserId))).toBe('not-found');
    expect(rule('owner', { thread: thread(), threadMembers: [me] }, remove(me))).toBe('last-member');
    // In a conversation one can only leave.
    const dm = { thread: thread({ conversation: true }), threadMembers: [me, bob] };
    expect(rule('owner', dm, remove(bob))).toBe('forbidden');
    expect(rule('viewer', dm, remove(me))).toBe('accepted');
  });

  it('conversation.open: an existing one comes back to any of its people; a new one needs an editor', () => {
    const existing = { conversation: 'old' as ThreadId, strangers: [] };
    const i = open(['bob']);
    expect(rule('viewer', existing, i)).toBe('accepted');
    expect(conversationThread(existing, i as Extract<Intent, { type: 'conversation.open' }>)).toEqual({
      threadId: 'old',
      existed: true,
    });
    const none = { conversation: null, strangers: [], idTaken: false };
    expect(rule('viewer', none, i)).toBe('forbidden');
    expect(rule('editor', none, i)).toBe('accepted');
    expect(conversationThread(none, i as Extract<Intent, { type: 'conversation.open' }>)).toEqual({
      threadId,
      existed: false,
    });
    expect(rule('editor', { ...none, idTaken: true }, i)).toBe('id-taken');
    expect(rule('editor', { ...none, strangers: ['zed' as UserId] }, i)).toBe('invalid-args');
    expect(rule(null, none, i)).toBe('not-found');
  });
});
