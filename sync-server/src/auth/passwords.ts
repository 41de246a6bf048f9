import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ConcurrencyLimit } from './concurrency-limit.js';

/** scrypt cost parameters for new hashes (OWASP's minimum for scrypt: N=2^14, r=8, p=1). */
const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1 } as const;
/** Random salt per password. */
const SALT_BYTES = 16;
/** Length of the derived key. */
const KEY_BYTES = 64;
/**
 * Largest cost a stored hash may ask for (N·r); anything bigger is refused rather than allowed to
 * pin a CPU and allocate gigabytes because of one bad row.
 */
const MAX_COST = 2 ** 20 * 8;

/** libuv's threadpool size: Node's default unless `UV_THREADPOOL_SIZE` says otherwise. */
const THREADPOOL_SIZE = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;

/**
 * scrypt calls that run at once, process-wide. They run on libuv's threadpool, which also runs the
 * HMAC of every token check (WebCrypto), file I/O and DNS: unbounded, 60 logins filled all four
 * threads and a token check waited 1.5 s behind them. So hashing takes at most half the pool, and
 * leaves a core for the event loop.
 */
export const MAX_CONCURRENT_HASHES = Math.max(
  1,
  Math.min(Math.floor(THREADPOOL_SIZE / 2), availableParallelism() - 1),
);
/** Hashes waiting for a slot (about 60 ms each) before more are refused with 503 instead of queued. */
export const MAX_WAITING_HASHES = 128;

/** Every scrypt of the process goes through here. */
export const hashing = new ConcurrencyLimit(MAX_CONCURRENT_HASHES, MAX_WAITING_HASHES);

/** How the server hashes and checks passwords; a seam so tests can watch what work was done. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export const scryptHasher: PasswordHasher = {
  hash: (password) => hashPassword(password),
  verify: (password, stored) => verifyPassword(password, stored),
};

const PREFIX = 'scrypt';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A hash of a random password nobody knows, with the current parameters. Login verifies against it
 * when the email is unknown, so that an unknown email and a wrong password take the same time.
 */
export const DUMMY_PASSWORD_HASH =
  'scrypt$16384$8$1$vcPKr9s1Syhl2co/KB4Asw==$ZGD1FKKVW6LWwpX+mnbvuqNZzKlUR/rJJ7F9FUG5GPATiIrYpaibxMS4fDvRG3gTa72U3Vcmv/Ph+b2KGNfPLA==';

/** Hashes a password as `scrypt$N$r$p$<salt base64>$<key base64>`, so the parameters can change later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return [PREFIX, N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, KEY_BYTES, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (N === undefined || r === undefined || p === undefined) return null;
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return null;
  // scrypt requires N to be a power of two greater than 1.
  if (N < 2 || (N & (N - 1)) !== 0 || N * r > MAX_COST || p > 16) return null;
  const [saltText = '', keyText = ''] = parts.slice(4);
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return null;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  // A shorter key would still verify (scrypt's output is a prefix of its longer outputs), so the
  // length is fixed rather than read from the string.
  if (salt.length < SALT_BYTES || key.length !== KEY_BYTES) return null;
  return { params: { N, r, p }, salt, key };
}

function derive(
  password: string,
  salt: Buffer,
  keyBytes: number,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  // Node's default maxmem (32 MiB) is only just above what N=16384, r=8 needs (16 MiB); leave room.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return hashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, keyBytes, options, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      }),
  );
}
