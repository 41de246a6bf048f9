/**
 * The signed-in app: one session (kept in IndexedDB, refreshed under a Web Lock across tabs), one
 * client with an IndexedDB store per user, and the intent outbox in IndexedDB. Everything here
 * starts offline from what the browser kept: no request is needed to open the app again.
 */
import {
  attachOutbox,
  CaucusApi,
  createClient,
  indexedDbOutboxStore,
  indexedDbSessionStore,
  indexedDbStorage,
  logIn,
  resumeSession,
  signUp,
  type ApiResult,
  type CaucusClient,
  type Outbox,
  type SessionAuth,
} from '@caucus/client';
import type { UserId } from '@caucus/schema';

export interface AppSession {
  auth: SessionAuth;
  client: CaucusClient;
  outbox: Outbox;
  api: CaucusApi;
  me: { id: UserId; name: string; email: string };
}

const sessionStore = () => indexedDbSessionStore();
const origin = () => location.origin;

async function open(auth: SessionAuth): Promise<AppSession> {
  const me = auth.user;
  const client = createClient({
    url: origin(),
    auth,
    user: me.id,
    storage: indexedDbStorage({ namespace: `caucus:${me.id}` }),
    // All tabs of this browser on one WebSocket: one tab leads, the others sync through it.
    sharedConnection: true,
  });
  const outbox = await attachOutbox(client, { store: indexedDbOutboxStore(`caucus-outbox:${me.id}`) });
  return { auth, client, outbox, api: new CaucusApi({ url: origin(), auth }), me };
}

/** The session this browser kept, opened; null when nobody is signed in here. */
export async function resume(): Promise<AppSession | null> {
  const auth = await resumeSession({ url: origin(), store: sessionStore() });
  return auth ? open(auth) : null;
}

export async function signIn(
  mode: 'sign-up' | 'sign-in',
  input: { email: string; password: string; name: string },
): Promise<ApiResult<AppSession>> {
  const options = { url: origin(), store: sessionStore() };
  const res =
    mode === 'sign-up'
      ? await signUp(input, options)
      : await logIn({ email: input.email, password: input.password }, options);
  if (!res.ok) return res;
  return { ok: true, value: await open(res.value) };
}

export async function signOut(session: AppSession): Promise<void> {
  await session.client.close();
  await session.auth.logout();
}
