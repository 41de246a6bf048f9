import { describe, expect, it } from 'vitest';
import { INTENT_TYPES, intentContent, parseIntent, type Intent } from './intent.js';
import { MAX_OPTIONS } from './common.js';

function parsed(value: unknown): Intent {
  const result = parseIntent(value);
  if (!result.ok) throw new Error(result.message);
  return result.intent;
}

function problem(value: unknown): string {
  const result = parseIntent(value);
  if (result.ok) throw new Error('expected it to be refused');
  return result.message;
}

describe('intents', () => {
  it('has the sixteen types DESIGN §4 lists and those of private threads', () => {
    expect(INTENT_TYPES).toHaveLength(19);
    expect(INTENT_TYPES).toContain('conversation.open');
    expect(INTENT_TYPES).toContain('decision.resolve');
    expect(INTENT_TYPES).toContain('prefs.set');
  });

  it('parses and normalizes: trimmed text, lower-cased email, sorted distinct muted kinds', () => {
    const propose = parsed({
      id: 'i-1',
      type: 'decision.propose',
      args: {
        decisionId: 'd1',
        threadId: 't1',
        title: '  Lunch  ',
        options: ['a', 'b'],
        requiredApprovals: 2,
      },
      basis: { version: 3 },
    });
    expect(propose).toEqual({
      id: 'i-1',
      type: 'decision.propose',
      args: { decisionId: 'd1', threadId: 't1', title: 'Lunch', options: ['a', 'b'], requiredApprovals: 2 },
      basis: { version: 3 },
    });
    const invite = parsed({
      id: 'i-2',
      type: 'member.invite',
      args: { workspaceId: 'w', email: ' Bob@Example.COM ', role: 'editor' },
    });
    expect(invite.type === 'member.invite' && invite.args.email).toBe('bob@example.com');
    const prefs = parsed({ id: 'i-3', type: 'prefs.set', args: { mutedKinds: ['info', 'error', 'info'] } });
    expect(prefs.args).toEqual({ mutedKinds: ['error', 'info'] });
  });

  it('refuses unknown types, bad ids and bad arguments, naming the path', () => {
    expect(problem({ id: 'i', type: 'decision.explode', args: {} })).toMatch(/type/);
    expect(problem({ id: '../x', type: 'inbox.markAllRead', args: {} })).toMatch(/^id:/);
    expect(problem({ id: 'i', type: 'decision.resolve', args: { decisionId: 'd', outcome: '   ' } })).toMatch(
      /args\.outcome/,
    );
    expect(
      problem({
        id: 'i',
        type: 'decision.propose',
        args: { decisionId: 'd', threadId: 't', title: 'x', options: ['a', 'a'] },
      }),
    ).toMatch(/distinct/);
    const many = Array.from({ length: MAX_OPTIONS + 1 }, (_, i) => `o${i}`);
    expect(
      problem({
        id: 'i',
        type: 'decision.propose',
        args: { decisionId: 'd', threadId: 't', title: 'x', options: many },
      }),
    ).toMatch(/options/);
    expect(
      problem({ id: 'i', type: 'member.invite', args: { workspaceId: 'w', email: 'nope', role: 'editor' } }),
    ).toMatch(/email/);
    expect(
      problem({ id: 'i', type: 'member.setRole', args: { workspaceId: 'w', userId: 'u', role: 'boss' } }),
    ).toMatch(/role/);
    expect(problem(null)).toBeTruthy();
  });

  it('gives the same content for the same intent however it was written, and other content otherwise', () => {
    const a = parsed({ id: 'x', type: 'decision.resolve', args: { outcome: 'yes ', decisionId: 'd' } });
    const b = parsed({ type: 'decision.resolve', args: { decisionId: 'd', outcome: 'yes' }, id: 'y' });
    expect(intentContent(a)).toBe(intentContent(b));
    const c = parsed({ id: 'x', type: 'decision.resolve', args: { decisionId: 'd', outcome: 'no' } });
    expect(intentContent(c)).not.toBe(intentContent(a));
    const d = parsed({
      id: 'x',
      type: 'decision.resolve',
      args: { decisionId: 'd', outcome: 'yes' },
      basis: { version: 1 },
    });
    expect(intentContent(d)).not.toBe(intentContent(a));
  });
});
