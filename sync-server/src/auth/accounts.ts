/**
 * User accounts (DESIGN §5): creating one at signup (password strength, hash, personal workspace),
 * checking a login's email and password, and reading a user — with the same work for an unknown
 * email as for a known one, so the time of an answer tells nothing.
 */
import { eq, sql } from 'drizzle-orm';
import { newId, tables, type UserId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { normalizeEmail, type WorkspaceService } from '../workspaces/workspace-service.js';
import { passwordWeakness } from './password-strength.js';
import { DUMMY_PASSWORD_HASH, type PasswordHasher } from './passwords.js';
import type { PublicUser } from './principal.js';

const { users } = tables;

export type UserRow = typeof users.$inferSelect;

export interface SignupOptions {
  /** The address was proven (signing up through an invitation sent to it). */
  emailVerified?: boolean;
  /**
   * More writes inside the signup's transaction (accepting the invitation); a throw rolls the
   * signup back. What it returns runs once the transaction has committed.
   */
  within?: (user: PublicUser) => () => Promise<void>;
}

export function toPublicUser(row: UserRow): PublicUser {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.createdAt };
}

/** Looks up the user with id `id`. */
export interface UserById {
  get(params: { id: UserId }): UserRow | undefined;
}

/** The user with id `id`, prepared once: every authentication looks one up. */
export function prepareUserById(db: Db): UserById {
  return db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
}

export class Accounts {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #workspaces: WorkspaceService;
  readonly #passwords: PasswordHasher;

  constructor(options: {
    db: Db;
    now: () => number;
    workspaces: WorkspaceService;
    passwords: PasswordHasher;
  }) {
    this.#db = options.db;
    this.#now = options.now;
    this.#workspaces = options.workspaces;
    this.#passwords = options.passwords;
  }

  /**
   * Creates the user and their personal workspace. `weak-password` for a password among the first
   * an attacker would try; `email-taken` only after the same work as a new account (the strength
   * check and the hash). Resolves once `options.within`'s follow-up has run.
   */
  async create(
    input: { email: string; password: string; name: string },
    options: SignupOptions,
  ): Promise<PublicUser> {
    const email = normalizeEmail(input.email);
    const weakness = await passwordWeakness(input.password, [email, email.split('@')[0] ?? '', input.name]);
    if (weakness) throw new ApiError('weak-password', `choose a stronger password: ${weakness}`);
    const passwordHash = await this.#passwords.hash(input.password);
    const createdAt = this.#now();
    const user: PublicUser = { id: newId<UserId>(createdAt), email, name: input.name, createdAt };
    const { provisioned, committed } = this.#db.transaction((tx) => {
      if (this.#userByEmail(email)) throw emailTaken();
      tx.insert(users)
        .values({ ...user, passwordHash, emailVerifiedAt: options.emailVerified ? createdAt : null })
        .run();
      return { provisioned: this.#workspaces.provisionUser(user), committed: options.within?.(user) };
    });
    provisioned.announce();
    await committed?.();
    return user;
  }

  /** The user a login names; `invalid-credentials` for an unknown email and a wrong password alike. */
  async checkLogin(input: { email: string; password: string }): Promise<PublicUser> {
    const row = this.#userByEmail(normalizeEmail(input.email));
    const ok = await this.#passwords.verify(input.password, row?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!row || !ok) throw new ApiError('invalid-credentials', 'wrong email or password');
    return toPublicUser(row);
  }

  get(userId: UserId): PublicUser {
    const row = this.#db.select().from(users).where(eq(users.id, userId)).get();
    if (!row) throw new ApiError('unauthorized', 'unknown user');
    return toPublicUser(row);
  }

  #userByEmail(email: string) {
    return this.#db.select().from(users).where(eq(users.email, email)).get();
  }
}

function emailTaken(): ApiError {
  return new ApiError('email-taken', 'an account with that email already exists');
}
