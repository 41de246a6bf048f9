import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tables, type ApiErrorCode, type InvitationId, type UserId } from '@caucus/schema';
import { loadConfig, type ServerConfig } from '../config.js';
import { ApiError } from '../errors.js';
import { createLogger } from '../logger.js';
import { openDb, type Db } from '../storage/db.js';
import { WorkspaceService } from '../workspaces/workspace-service.js';
import { AuthService, type RevokedCredential } from './auth-service.js';
import { scryptHasher } from './passwords.js';

const ACCESS_TTL_SECONDS = 60;
const REFRESH_TTL_SECONDS = 3600;

let dataDir: string;
let db: Db;
let config: ServerConfig;
let clock: number;
let workspaces: WorkspaceService;
let auth: AuthService;
let revoked: RevokedCredential[];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'caucus-auth-'));
  config = loadConfig(
    { CAUCUS_JWT_SECRET: 'x'.repeat(40) },
    { dataDir, accessTokenTtlSeconds: ACCESS_TTL_SECONDS, refreshTokenTtlSeconds: REFRESH_TTL_SECONDS },
  );
  db = openDb({ path: ':memory:' });
  clock = Date.UTC(2030, 0, 1);
  const now = () => clock;
  workspaces = new WorkspaceService({ db, now, logger: createLogger('silent') });
  auth = new AuthService({ db, config, now, workspaces });
  revoked = [];
  auth.onRevoked((e) => revoked.push(e));
});

afterEach(() => {
  db.$client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: ApiErrorCode): Promise<void> {
  const err: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(code);
}

function throwsWith(fn: () => unknown, code: ApiErrorCode): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(code);
    return;
  }
  expect.fail('expected an ApiError');
}

const ada = { email: '  Ada@Example.COM ', password: 'analytical engine', name: 'Ada' };

describe('signup and login', () => {
  it('signs up with a normalized email, a personal workspace and a working session', async () => {
    const session = await auth.signup(ada);
    expect(session.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', createdAt: clock });
    expect(workspaces.listForUser(session.user.id)).toEqual([
      expect.objectContaining({ name: "Ada's workspace", personal: true, role: 'owner' }),
    ]);
    const principal = await auth.authenticate(session.accessToken);
    expect(principal).toMatchObject({
      userId: session.user.id,
      name: 'Ada',
      email: 'ada@example.com',
      via: 'session',
      expiresAt: clock + ACCESS_TTL_SECONDS * 1000,
    });
    expect(principal.sessionId).toBeTypeOf('string');
  });

  it('refuses a second account for the same email in any case', async () => {
    await auth.signup(ada);
    await rejectsWith(auth.signup({ ...ada, email: 'ADA@example.com' }), 'email-taken');
  });

  it('refuses the passwords attackers try first, the email and the name included', async () => {
    for (const password of [
      '12345678',
      'password',
      'password1',
      'qwerty123',
      'ada@example.com',
      'AdaAdaAda',
    ]) {
      await rejectsWith(auth.signup({ ...ada, password }), 'weak-password');
    }
    // Nothing was made by the refusals: the account can still be created.
    await expect(auth.signup(ada)).resolves.toMatchObject({ user: { email: 'ada@example.com' } });
  });

  it('does the same work for a taken email as for a new one: one hash each', async () => {
    const hashed: string[] = [];
    const watched = new AuthService({
      db,
      config,
      now: () => clock,
      workspaces,
      passwords: {
        hash: async (password) => {
          hashed.push(password);
          return scryptHasher.hash(password);
        },
        verify: (password, stored) => scryptHasher.verify(password, stored),
      },
    });
    await watched.signup(ada);
    expect(hashed).toEqual([ada.password]);
    await rejectsWith(watched.signup({ ...ada, password: 'another long phrase' }), 'email-taken');
    expect(hashed).toEqual([ada.password, 'another long phrase']);
  });

  it('logs in, and answers unknown emails and wrong passwords alike', async () => {
    const { user } = await auth.signup(ada);
    const session = await auth.login({ email: 'ada@EXAMPLE.com', password: ada.password });
    expect(session.user.id).toBe(user.id);
    expect((await auth.authenticate(session.accessToken)).userId).toBe(user.id);
    await rejectsWith(auth.login({ email: ada.email, password: 'wrong password' }), 'invalid-credentials');
    await rejectsWith(
      auth.login({ email: 'nobody@example.com', password: ada.password }),
      'invalid-credentials',
    );
  });

  it('claims no invitation at a plain signup, and verifies no address', async () => {
    const owner = await auth.signup(ada);
    const team = workspaces.create(owner.user.id, 'Team');
    db.insert(tables.invitations)
      .values({
        id: 'inv1' as InvitationId,
        workspaceId: team.id,
        email: 'grace@example.com',
        role: 'editor',
        invitedBy: owner.user.id,
        tokenHash: 'x'.repeat(64),
        status: 'pending',
        createdAt: clock,
        expiresAt: clock + 86_400_000,
      })
      .run();
    const grace = await auth.signup({ email: 'grace@example.com', password: 'cobol rules', name: 'Grace' });
    expect(workspaces.roleOf(grace.user.id, team.id)).toBeNull();
    expect(workspaces.get(team.id, owner.user.id).invitations).toMatchObject([
      { email: 'grace@example.com' },
    ]);
    const row = db.select().from(tables.users).where(eq(tables.users.id, grace.user.id)).get();
    expect(row?.emailVerifiedAt).toBeNull();
  });

  it('runs more writes inside the signup transaction: a proven address, or nothing when they throw', async () => {
    const proven = await auth.signup(ada, { emailVerified: true, within: () => () => Promise.resolve() });
    const row = db.select().from(tables.users).where(eq(tables.users.id, proven.user.id)).get();
    expect(row?.emailVerifiedAt).toBe(clock);
    const grace = { email: 'grace@example.com', password: 'cobol rules', name: 'Grace' };
    await expect(
      auth.signup(grace, {
        within: () => {
          throw new ApiError('gone', 'the invitation has expired');
        },
      }),
    ).rejects.toMatchObject({ code: 'gone' });
    expect(
      db.select().from(tables.users).where(eq(tables.users.email, 'grace@example.com')).get(),
    ).toBeUndefined();
    await expect(auth.signup(grace)).resolves.toMatchObject({ user: { email: 'grace@example.com' } });
  });
});

describe('refresh tokens', () => {
  it('rotates: the new pair works and the old refresh token is spent', async () => {
    const first = await auth.signup(ada);
    clock += 1000;
    const second = await auth.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user.id).toBe(first.user.id);
    const principal = await auth.authenticate(second.accessToken);
    expect(principal.sessionId).toBe((await auth.authenticate(first.accessToken)).sessionId);
    const third = await auth.refresh(second.refreshToken);
    expect((await auth.authenticate(third.accessToken)).userId).toBe(first.user.id);
  });

  it('revokes the whole family when a used refresh token comes back', async () => {
    const first = await auth.signup(ada);
    const second = await auth.refresh(first.refreshToken);
    await rejectsWith(auth.refresh(first.refreshToken), 'refresh-token-reused');
    expect(revoked).toEqual([{ userId: first.user.id, sessionId: expect.any(String) as string }]);
    // The legitimate successor dies with the family, and so do the session's access tokens.
    await rejectsWith(auth.refresh(second.refreshToken), 'refresh-token-reused');
    await rejectsWith(auth.authenticate(second.accessToken), 'unauthorized');
    await rejectsWith(auth.authenticate(first.accessToken), 'unauthorized');
    // Another login is another family and is unaffected.
    const other = await auth.login(ada);
    expect((await auth.authenticate(other.accessToken)).userId).toBe(first.user.id);
  });

  it('expires refresh tokens', async () => {
    const session = await auth.signup(ada);
    clock += REFRESH_TTL_SECONDS * 1000;
    await rejectsWith(auth.refresh(session.refreshToken), 'token-expired');
  });

  it('refuses unknown refresh tokens', async () => {
    await rejectsWith(auth.refresh('not-a-token'), 'unauthorized');
  });

  it('logout ends the session: its refresh and access tokens stop working', async () => {
    const session = await auth.signup(ada);
    const other = await auth.login(ada);
    const { sessionId } = await auth.authenticate(session.accessToken);
    auth.logout(session.refreshToken);
    expect(revoked).toEqual([{ userId: session.user.id, sessionId }]);
    await rejectsWith(auth.refresh(session.refreshToken), 'refresh-token-reused');
    await rejectsWith(auth.authenticate(session.accessToken), 'unauthorized');
    expect((await auth.authenticate(other.accessToken)).userId).toBe(session.user.id);
    auth.logout('unknown'); // idempotent, reveals nothing
    auth.logout(session.refreshToken);
    expect(revoked).toHaveLength(1);
  });
});

describe('access tokens', () => {
  it('expire after the configured TTL', async () => {
    const { accessToken } = await auth.signup(ada);
    clock += (ACCESS_TTL_SECONDS - 1) * 1000;
    await expect(auth.authenticate(accessToken)).resolves.toBeTruthy();
    clock += 1000;
    await rejectsWith(auth.authenticate(accessToken), 'token-expired');
  });

  it('refuses tokens signed with another secret, alg none, and non-access JWTs', async () => {
    const { user } = await auth.signup(ada);
    const { sessionId } = await auth.authenticate((await auth.login(ada)).accessToken);
    const iat = Math.floor(clock / 1000);
    const claims = { sid: sessionId, name: 'Ada', typ: 'access' };
    const sign = (payload: Record<string, unknown>, secret: string) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(new TextEncoder().encode(secret));

    // The same claims with the right secret pass: the refusals below are about what was changed.
    await expect(auth.authenticate(await sign(claims, config.jwtSecret))).resolves.toMatchObject({
      userId: user.id,
    });
    await rejectsWith(auth.authenticate(await sign(claims, 'y'.repeat(40))), 'unauthorized');
    await rejectsWith(
      auth.authenticate(await sign({ ...claims, typ: 'refresh' }, config.jwtSecret)),
      'unauthorized',
    );
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: user.id, iat, exp: iat + 60 })}.`;
    await rejectsWith(auth.authenticate(unsigned), 'unauthorized');
    await rejectsWith(auth.authenticate('garbage'), 'unauthorized');
    await rejectsWith(auth.authenticate(''), 'unauthorized');
  });
});

describe('API tokens', () => {
  it('are shown once, authenticate, list without secrets, and stop working when revoked', async () => {
    const { user } = await auth.signup(ada);
    const created = auth.createApiToken(user.id, 'importer');
    expect(created.token).toMatch(/^cau_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
    expect(created.expiresAt).toBeNull();
    const principal = await auth.authenticate(created.token);
    expect(principal).toEqual({
      userId: user.id,
      name: 'Ada',
      email: 'ada@example.com',
      via: 'api-token',
      apiTokenId: created.id,
      expiresAt: null,
    });
    const listed = auth.listApiTokens(user.id);
    expect(listed).toEqual([
      { id: created.id, name: 'importer', createdAt: clock, lastUsedAt: clock, expiresAt: null },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.token.slice(-43));

    auth.revokeApiToken(user.id, created.id);
    expect(revoked).toEqual([{ userId: user.id, apiTokenId: created.id }]);
    await rejectsWith(auth.authenticate(created.token), 'unauthorized');
    auth.revokeApiToken(user.id, created.id);
    expect(revoked).toHaveLength(1);
    expect(auth.listApiTokens(user.id)).toEqual([]);
  });

  it('refuses a wrong secret and expires when asked to', async () => {
    const { user } = await auth.signup(ada);
    const created = auth.createApiToken(user.id, 'ci', 1);
    expect(created.expiresAt).toBe(clock + 86_400_000);
    const secret = created.token.slice(-43);
    const wrong = created.token.slice(0, -43) + (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    await rejectsWith(auth.authenticate(wrong), 'unauthorized');
    await rejectsWith(auth.authenticate(`cau_${created.id}`), 'unauthorized');
    clock += 86_400_000;
    await rejectsWith(auth.authenticate(created.token), 'token-expired');
  });

  it('cannot be revoked by someone else (not-found, as if it did not exist)', async () => {
    const { user } = await auth.signup(ada);
    const mallory = await auth.signup({
      email: 'mallory@example.com',
      password: 'smoke and mirrors',
      name: 'M',
    });
    const created = auth.createApiToken(user.id, 'mine');
    throwsWith(() => auth.revokeApiToken(mallory.user.id, created.id), 'not-found');
    throwsWith(() => auth.revokeApiToken(user.id, 'nope' as never), 'not-found');
    await expect(auth.authenticate(created.token)).resolves.toMatchObject({ userId: user.id });
  });

  it('getUser returns the public fields only', async () => {
    const { user } = await auth.signup(ada);
    expect(auth.getUser(user.id)).toEqual(user);
    expect(Object.keys(user).sort()).toEqual(['createdAt', 'email', 'id', 'name']);
    throwsWith(() => auth.getUser('missing' as UserId), 'unauthorized');
  });
});
