import { describe, expect, it } from 'vitest';
import type { UserId } from '@caucus/schema';
import { readUnsubscribeToken, unsubscribeToken } from './unsubscribe-token.js';

const user = '01a2-user' as UserId;

describe('unsubscribe tokens', () => {
  it('name the user and kind they were made for, under this secret only', () => {
    const token = unsubscribeToken('secret-a', user, 'checkpoint');
    expect(readUnsubscribeToken('secret-a', token)).toEqual({ userId: user, kind: 'checkpoint' });
    expect(readUnsubscribeToken('secret-b', token)).toBeNull();
  });

  it('refuse a changed kind or user, and junk', () => {
    const [, , mac] = unsubscribeToken('s', user, 'warning').split('.');
    expect(readUnsubscribeToken('s', `${user}.info.${mac}`)).toBeNull();
    expect(readUnsubscribeToken('s', `other.warning.${mac}`)).toBeNull();
    for (const junk of ['', '...', 'a.b', `${user}.nope.${mac}`, `${user}.warning.${mac}x`])
      expect(readUnsubscribeToken('s', junk)).toBeNull();
  });
});
