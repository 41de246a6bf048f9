/**
 * Throttles what costs a password hash or mints credentials — login, signup, refresh, API-token
 * creation — per account and per client address. A budget per key refills evenly over a window
 * (a token bucket); an attempt takes one from each of its keys first, so a thousand parallel
 * guesses cannot all pass before the first one fails, and a refused attempt does no work at all.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ApiError } from '../errors.js';

export const AUTH_ACTIONS = ['login', 'signup', 'refresh', 'token'] as const;
export type AuthAction = (typeof AUTH_ACTIONS)[number];

/** The `scope` label of `caucus_rate_limited_total` for the auth throttles. */
export const AUTH_THROTTLE_SCOPES = ['auth-account', 'auth-address'] as const;
export type AuthThrottleScope = (typeof AUTH_THROTTLE_SCOPES)[number];

export interface ThrottleBudget {
  /** Attempts per window for one account: an email (login, signup) or a user (refresh, token). */
  perAccount: number;
  /** Attempts per window from one client address (an IPv4 address, or an IPv6 /64). */
  perAddress: number;
}

export type AuthThrottleLimits = { windowSeconds: number } & Record<AuthAction, ThrottleBudget>;

/**
 * Login counts failures (a success gives its attempt back), so ten wrong passwords for one account
 * lock it for 90 s, then one try per 90 s; the address budget leaves room for a NAT full of
 * people. Signups and API tokens count every attempt. Refresh counts every rotation per user
 * (a device rotates once per access-token lifetime) and failures per address.
 */
export const DEFAULT_AUTH_THROTTLE: AuthThrottleLimits = {
  windowSeconds: 900,
  login: { perAccount: 10, perAddress: 100 },
  signup: { perAccount: 10, perAddress: 30 },
  refresh: { perAccount: 60, perAddress: 100 },
  token: { perAccount: 20, perAddress: 50 },
};

/** What a success gives back, per action: its address attempt, its account attempt, or nothing. */
const REFUND_ON_SUCCESS: Record<AuthAction, { account: boolean; address: boolean }> = {
  login: { account: true, address: true },
  signup: { account: false, address: false },
  refresh: { account: false, address: true },
  token: { account: false, address: false },
};

/** Buckets one table keeps; past it, full (idle) ones go first, then the oldest. */
const MAX_BUCKETS = 50_000;

/** The env variable of each number, e.g. `CAUCUS_THROTTLE_LOGIN_PER_ACCOUNT`. */
export function throttleEnvName(action: AuthAction | 'window', scope?: keyof ThrottleBudget): string {
  if (action === 'window') return 'CAUCUS_THROTTLE_WINDOW_SECONDS';
  return `CAUCUS_THROTTLE_${action.toUpperCase()}_${scope === 'perAccount' ? 'PER_ACCOUNT' : 'PER_ADDRESS'}`;
}

/** The defaults with what the environment overrides; throws with the variable's name on a bad value. */
export function authThrottleFromEnv(env: Record<string, string | undefined>): AuthThrottleLimits {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`${name}: expected a positive integer, got "${raw}"`);
    }
    return value;
  };
  const limits: AuthThrottleLimits = {
    ...DEFAULT_AUTH_THROTTLE,
    windowSeconds: read(throttleEnvName('window'), DEFAULT_AUTH_THROTTLE.windowSeconds),
  };
  for (const action of AUTH_ACTIONS) {
    const budget = DEFAULT_AUTH_THROTTLE[action];
    limits[action] = {
      perAccount: read(throttleEnvName(action, 'perAccount'), budget.perAccount),
      perAddress: read(throttleEnvName(action, 'perAddress'), budget.perAddress),
    };
  }
  return limits;
}

/** An admitted attempt; call `succeeded` once it worked, so what successes do not spend comes back. */
export interface ThrottlePass {
  succeeded(): void;
}

export interface AuthThrottleOptions {
  now?: () => number;
  /** Told of every refused attempt, with the budget that was spent (for metrics). */
  onRefused?: (scope: AuthThrottleScope, action: AuthAction) => void;
}

interface Bucket {
  tokens: number;
  at: number;
}

class BucketTable {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
  ) {}

  /** Tokens there now, refilled for the time since the last look. */
  level(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= MAX_BUCKETS) this.#prune(now);
      bucket = { tokens: this.capacity, at: now };
      this.#buckets.set(key, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    return bucket;
  }

  /** Seconds until the bucket holds one token again. */
  waitSeconds(bucket: Bucket): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  give(key: string, now: number): void {
    const bucket = this.level(key, now);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + 1);
  }

  #prune(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.capacity) this.#buckets.delete(key);
    }
    // Still full: forget the oldest, rather than grow without bound under an address-rotating flood.
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < MAX_BUCKETS * 0.9) break;
      this.#buckets.delete(key);
    }
  }
}

type Tables = Record<AuthAction, { account: BucketTable; address: BucketTable }>;

export class AuthThrottle {
  readonly #now: () => number;
  readonly #onRefused: (scope: AuthThrottleScope, action: AuthAction) => void;
  readonly #tables: Tables;

  constructor(limits: AuthThrottleLimits = DEFAULT_AUTH_THROTTLE, options: AuthThrottleOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#onRefused = options.onRefused ?? (() => {});
    const windowMs = limits.windowSeconds * 1000;
    const table = (n: number) => new BucketTable(n, n / windowMs);
    this.#tables = Object.fromEntries(
      AUTH_ACTIONS.map((a) => [
        a,
        { account: table(limits[a].perAccount), address: table(limits[a].perAddress) },
      ]),
    ) as Tables;
  }

  /**
   * Takes one attempt from the account's and the address's budget, or throws 429 `rate-limited`
   * with `Retry-After` (taking nothing) when either is spent. `account` is null when the attempt
   * names no known account (an unknown refresh token): only the address pays.
   */
  admit(action: AuthAction, keys: { account: string | null; address: string }): ThrottlePass {
    const now = this.#now();
    const { account, address } = this.#tables[action];
    const addressKey = addressKeyOf(keys.address);
    const accountBucket = keys.account === null ? null : account.level(keys.account, now);
    const addressBucket = address.level(addressKey, now);
    const spent: Array<[AuthThrottleScope, number]> = [];
    if (accountBucket && accountBucket.tokens < 1)
      spent.push(['auth-account', account.waitSeconds(accountBucket)]);
    if (addressBucket.tokens < 1) spent.push(['auth-address', address.waitSeconds(addressBucket)]);
    const first = spent[0];
    if (first) {
      this.#onRefused(first[0], action);
      const retryAfterSeconds = Math.max(...spent.map(([, wait]) => wait));
      throw new ApiError('rate-limited', `too many attempts; retry in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    if (accountBucket) accountBucket.tokens -= 1;
    addressBucket.tokens -= 1;
    let done = false;
    return {
      succeeded: () => {
        if (done) return;
        done = true;
        const refund = REFUND_ON_SUCCESS[action];
        const at = this.#now();
        if (refund.account && keys.account !== null) account.give(keys.account, at);
        if (refund.address) address.give(addressKey, at);
      },
    };
  }
}

/**
 * The key of a client address: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64 — one host
 * usually holds a whole /64, so single addresses would be free to rotate.
 */
export function addressKeyOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
