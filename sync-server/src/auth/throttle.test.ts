import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import {
  addressKeyOf,
  AuthThrottle,
  authThrottleFromEnv,
  DEFAULT_AUTH_THROTTLE,
  type AuthThrottleLimits,
  type AuthThrottleScope,
} from './throttle.js';

const limits: AuthThrottleLimits = {
  ...DEFAULT_AUTH_THROTTLE,
  windowSeconds: 100,
  login: { perAccount: 3, perAddress: 5 },
  signup: { perAccount: 2, perAddress: 4 },
};

function setup() {
  const clock = { now: 1_000_000 };
  const refused: AuthThrottleScope[] = [];
  const throttle = new AuthThrottle(limits, {
    now: () => clock.now,
    onRefused: (scope) => refused.push(scope),
  });
  return { clock, refused, throttle };
}

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('AuthThrottle', () => {
  it('refuses an account once its failures are spent, with Retry-After, and refills over the window', () => {
    const { clock, refused, throttle } = setup();
    const keys = { account: 'ada@example.com', address: '10.0.0.1' };
    for (let i = 0; i < 3; i++) throttle.admit('login', keys); // three failures (never succeeded)
    const err = refusal(() => throttle.admit('login', keys));
    expect(err).toMatchObject({ code: 'rate-limited', status: 429 });
    // One attempt comes back every window / budget = 33.3 s.
    expect(err.retryAfterSeconds).toBe(34);
    expect(refused).toEqual(['auth-account']);
    // Another account from the same address is not locked out by it.
    throttle.admit('login', { ...keys, account: 'grace@example.com' }).succeeded();
    clock.now += 34_000;
    throttle.admit('login', keys);
    expect(() => throttle.admit('login', keys)).toThrow(ApiError);
  });

  it('gives a successful login its attempt back, so only failures count', () => {
    const { throttle } = setup();
    const keys = { account: 'ada@example.com', address: '10.0.0.1' };
    for (let i = 0; i < 20; i++) throttle.admit('login', keys).succeeded();
    throttle.admit('login', keys).succeeded();
  });

  it('takes the attempt before the work, so parallel attempts cannot overrun the budget', () => {
    const { throttle } = setup();
    const keys = { account: 'ada@example.com', address: '10.0.0.1' };
    const inFlight = [
      throttle.admit('login', keys),
      throttle.admit('login', keys),
      throttle.admit('login', keys),
    ];
    expect(() => throttle.admit('login', keys)).toThrow(ApiError);
    for (const pass of inFlight) pass.succeeded();
    throttle.admit('login', keys);
  });

  it('limits an address across accounts, and counts every signup', () => {
    const { refused, throttle } = setup();
    for (let i = 0; i < 4; i++)
      throttle.admit('signup', { account: `u${i}@x.test`, address: '10.0.0.2' }).succeeded();
    const err = refusal(() => throttle.admit('signup', { account: 'u9@x.test', address: '10.0.0.2' }));
    expect(err.retryAfterSeconds).toBe(25);
    expect(refused).toEqual(['auth-address']);
    // A refused attempt took nothing: the new account's own budget is whole.
    throttle.admit('signup', { account: 'u9@x.test', address: '10.0.0.3' });
    throttle.admit('signup', { account: 'u9@x.test', address: '10.0.0.3' });
    expect(() => throttle.admit('signup', { account: 'u9@x.test', address: '10.0.0.3' })).toThrow(ApiError);
  });

  it('lets an attempt with no known account pay at its address only', () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) throttle.admit('login', { account: null, address: '10.0.0.4' });
    expect(() => throttle.admit('login', { account: null, address: '10.0.0.4' })).toThrow(ApiError);
  });

  it('keys IPv6 clients by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKeyOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(addressKeyOf('unknown')).toBe('unknown');
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) throttle.admit('login', { account: null, address: `2001:db8:1:2::${i}` });
    expect(() => throttle.admit('login', { account: null, address: '2001:db8:1:2:ffff::9' })).toThrow(
      ApiError,
    );
  });

  it('reads every budget from the environment, refusing what is not a positive integer', () => {
    const read = authThrottleFromEnv({
      CAUCUS_THROTTLE_WINDOW_SECONDS: '60',
      CAUCUS_THROTTLE_LOGIN_PER_ACCOUNT: '3',
      CAUCUS_THROTTLE_TOKEN_PER_ADDRESS: '7',
    });
    expect(read).toEqual({
      ...DEFAULT_AUTH_THROTTLE,
      windowSeconds: 60,
      login: { ...DEFAULT_AUTH_THROTTLE.login, perAccount: 3 },
      token: { ...DEFAULT_AUTH_THROTTLE.token, perAddress: 7 },
    });
    expect(authThrottleFromEnv({})).toEqual(DEFAULT_AUTH_THROTTLE);
    expect(() => authThrottleFromEnv({ CAUCUS_THROTTLE_SIGNUP_PER_ADDRESS: '0' })).toThrow(
      'CAUCUS_THROTTLE_SIGNUP_PER_ADDRESS: expected a positive integer, got "0"',
    );
  });
});
