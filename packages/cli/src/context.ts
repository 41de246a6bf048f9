/**
 * What every command shares: the global options resolved (`--url`/`CAUCUS_URL`,
 * `--token`/`CAUCUS_TOKEN`, `--state-dir`/`CAUCUS_STATE_DIR`, `--json`), and the client parts made
 * from them on first use — credentials, the API, the outbox in the state dir — closed at the end.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CaucusApi,
  normalizeUrl,
  Outbox,
  resumeSession,
  staticToken,
  type SessionAuth,
  type TokenSource,
} from '@caucus/client';
import type { CaucusClient } from '@caucus/client';
import { createNodeClient, fileSessionStore, sqliteOutboxStore } from '@caucus/client/node';
import type { UserId } from '@caucus/schema';
import { CliError, EXIT } from './exit-codes.js';
import { output, type Output } from './output.js';

/** Where `caucus serve` listens by default. */
export const DEFAULT_URL = 'http://127.0.0.1:8787';

export interface GlobalOptions {
  url?: string;
  token?: string;
  stateDir?: string;
  json?: boolean;
}

export type Identity = { id: UserId; email: string; name: string };

export class Context {
  readonly stateDir: string;
  readonly out: Output;
  readonly #options: GlobalOptions;
  readonly #env: NodeJS.ProcessEnv;
  #url: string | null = null;
  #auth: Promise<TokenSource> | null = null;
  #identity: Identity | null = null;
  #outbox: Promise<Outbox> | null = null;
  #client: Promise<CaucusClient> | null = null;

  constructor(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env) {
    this.#options = options;
    this.#env = env;
    this.stateDir = resolve(options.stateDir ?? (env.CAUCUS_STATE_DIR || join(homedir(), '.caucus')));
    this.out = output(options.json === true);
  }

  get json(): boolean {
    return this.out.json;
  }

  get sessions() {
    return fileSessionStore(this.stateDir);
  }

  /** `--url`, `CAUCUS_URL`, the server this state dir is signed in to, or the default. */
  async url(): Promise<string> {
    if (this.#url) return this.#url;
    const given = this.#options.url ?? (this.#env.CAUCUS_URL || undefined);
    let url = given ?? (await this.sessions.load().catch(() => null))?.url ?? DEFAULT_URL;
    try {
      url = normalizeUrl(url);
    } catch {
      throw new CliError('bad-url', `not an http(s) URL: ${url}`, EXIT.usage);
    }
    this.#url = url;
    return url;
  }

  /** An API token (`--token`, `CAUCUS_TOKEN`), else the state dir's session for this server. */
  auth(): Promise<TokenSource> {
    this.#auth ??= this.#resolveAuth();
    return this.#auth;
  }

  async api(): Promise<CaucusApi> {
    return new CaucusApi({ url: await this.url(), auth: await this.auth() });
  }

  /** An API without credentials (signup, login). */
  async anonymousApi(): Promise<CaucusApi> {
    return new CaucusApi({ url: await this.url(), auth: null });
  }

  /** Who the credentials belong to: the session's user, or (API tokens) `GET /api/me`. */
  async identity(): Promise<Identity | null> {
    if (this.#identity) return this.#identity;
    const auth = await this.auth();
    if ('user' in auth) return (this.#identity = (auth as SessionAuth).user);
    const me = await (await this.api()).me();
    if (!me.ok) return null;
    const { id, email, name } = me.value.user;
    return (this.#identity = { id, email, name });
  }

  /** The outbox in the state dir, sending as whoever the credentials belong to. */
  outbox(): Promise<Outbox> {
    this.#outbox ??= (async () => {
      const api = await this.api();
      const identity = await this.identity();
      return Outbox.open({
        store: sqliteOutboxStore(this.stateDir),
        send: (intents) => api.submitIntents(intents),
        actor: () => identity?.id ?? null,
      });
    })();
    return this.#outbox;
  }

  /** The sync client on the state dir (documents offline, one connection), for the document commands. */
  client(): Promise<CaucusClient> {
    this.#client ??= (async () => {
      const auth = await this.auth();
      const identity = await this.identity().catch(() => null);
      return createNodeClient({
        url: await this.url(),
        auth,
        stateDir: this.stateDir,
        ...(identity ? { user: identity.id } : {}),
      });
    })();
    return this.#client;
  }

  async close(): Promise<void> {
    const outbox = await this.#outbox?.catch(() => null);
    await outbox?.close();
    const client = await this.#client?.catch(() => null);
    await client?.close();
  }

  async #resolveAuth(): Promise<TokenSource> {
    const token = this.#options.token ?? (this.#env.CAUCUS_TOKEN || undefined);
    if (token) return staticToken(token);
    const url = await this.url();
    const session = await resumeSession({ url, store: this.sessions });
    if (!session) {
      throw new CliError(
        'auth-required',
        `not signed in to ${url}: run \`caucus login\` or pass --token`,
        EXIT.authRequired,
      );
    }
    return session;
  }
}
