import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../roles.js';
import { documentAccess, type ThreadAccessFacts } from './access.js';

const thread = (facts: Partial<ThreadAccessFacts>): ThreadAccessFacts => ({
  role: 'editor',
  visibility: 'workspace',
  inThread: false,
  status: 'active',
  ...facts,
});

const expected: Record<Role, 'write' | 'read'> = {
  owner: 'write',
  approver: 'write',
  editor: 'write',
  viewer: 'read',
};

describe('documentAccess', () => {
  it('lets editors and up write a thread and viewers read it', () => {
    for (const role of ROLES)
      expect(documentAccess({ kind: 'thread', thread: thread({ role }) }), role).toBe(expected[role]);
  });

  it('gives no access to a thread that does not exist or to someone outside its workspace', () => {
    expect(documentAccess({ kind: 'thread', thread: null })).toBe('none');
    expect(documentAccess({ kind: 'thread', thread: thread({ role: null }) })).toBe('none');
  });

  it('freezes an archived thread: owners read it too', () => {
    for (const role of ROLES)
      expect(documentAccess({ kind: 'thread', thread: thread({ role, status: 'archived' }) })).toBe('read');
  });

  it("hides a private thread from everyone but its members, the workspace's owners included", () => {
    const hidden = thread({ role: 'owner', visibility: 'private', inThread: false });
    expect(documentAccess({ kind: 'thread', thread: hidden })).toBe('none');
    const member = thread({ role: 'viewer', visibility: 'private', inThread: true });
    expect(documentAccess({ kind: 'thread', thread: member })).toBe('read');
    const editor = thread({ role: 'editor', visibility: 'private', inThread: true });
    expect(documentAccess({ kind: 'thread', thread: editor })).toBe('write');
    // Membership in the thread alone is not enough: leaving the workspace ends it.
    const gone = thread({ role: null, visibility: 'private', inThread: true });
    expect(documentAccess({ kind: 'thread', thread: gone })).toBe('none');
  });

  it('lets every member read a decision and nobody write it; a private one only its members', () => {
    for (const role of ROLES) {
      expect(
        documentAccess({ kind: 'decision', thread: { role, visibility: 'workspace', inThread: false } }),
      ).toBe('read');
      expect(
        documentAccess({ kind: 'decision', thread: { role, visibility: 'private', inThread: false } }),
      ).toBe('none');
      expect(
        documentAccess({ kind: 'decision', thread: { role, visibility: 'private', inThread: true } }),
      ).toBe('read');
    }
    expect(documentAccess({ kind: 'decision', thread: null })).toBe('none');
    expect(
      documentAccess({ kind: 'decision', thread: { role: null, visibility: 'workspace', inThread: false } }),
    ).toBe('none');
  });

  it('lets only its owner read an inbox, and every member read the catalog', () => {
    expect(documentAccess({ kind: 'inbox', own: true })).toBe('read');
    expect(documentAccess({ kind: 'inbox', own: false })).toBe('none');
    for (const role of ROLES) expect(documentAccess({ kind: 'workspace', role })).toBe('read');
    expect(documentAccess({ kind: 'workspace', role: null })).toBe('none');
  });
});
