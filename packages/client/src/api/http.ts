/**
 * The client's HTTP transport to the Caucus API: JSON in and out, the access token from a
 * {@link TokenSource} (refreshed once when the server answers 401), responses parsed at the edge,
 * and every failure returned as a value ({@link ApiResult}) with the server's error code.
 */
import type { ZodMiniType } from 'zod/mini';
import { AuthRequired, type TokenSource } from '../auth/token-source.js';
import { fail, ok, type ApiFailure, type ApiResult } from './result.js';

/** A request that has had no answer for this long counts as a network failure. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Credentials for authenticated routes; null for the public ones (signup, login, refresh). */
  auth: TokenSource | null;
  timeoutMs?: number;
  fetch?: Fetch;
}

export interface RequestOptions<T> {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** The shape of a successful answer; omitted for answers without a body (204). */
  schema?: ZodMiniType<T>;
  /** Send without credentials even when the client has some. */
  anonymous?: boolean;
  /** The answer is bytes (an image), handed over as a Blob instead of parsed JSON. */
  blob?: true;
}

export class Http {
  readonly url: string;
  readonly auth: TokenSource | null;
  readonly #timeoutMs: number;
  readonly #fetch: Fetch;

  constructor(options: HttpOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.auth = options.auth;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The same transport with other credentials. */
  withAuth(auth: TokenSource | null): Http {
    return new Http({ url: this.url, auth, timeoutMs: this.#timeoutMs, fetch: this.#fetch });
  }

  get<T>(path: string, options: RequestOptions<T> = {}): Promise<ApiResult<T>> {
    return this.request('GET', path, options);
  }

  post<T>(path: string, options: RequestOptions<T> = {}): Promise<ApiResult<T>> {
    return this.request('POST', path, options);
  }

  delete<T>(path: string, options: RequestOptions<T> = {}): Promise<ApiResult<T>> {
    return this.request('DELETE', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions<T> = {}): Promise<ApiResult<T>> {
    const auth = options.anonymous ? null : this.auth;
    let token: string | null = null;
    if (auth) {
      const got = await credential(() => auth.token());
      if (!got.ok) return got;
      token = got.value;
    }
    let res = await this.#send(method, path, options, token);
    if (auth && token !== null && !res.ok && res.error.status === 401) {
      const rejected = token;
      const got = await credential(() => auth.refresh(rejected));
      if (!got.ok) return got;
      res = await this.#send(method, path, options, got.value);
    }
    return res;
  }

  async #send<T>(
    method: string,
    path: string,
    options: RequestOptions<T>,
    token: string | null,
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text = '';
    let blob: Blob | null = null;
    try {
      res = await this.#fetch(this.#target(path, options.query), {
        method,
        headers,
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      if (options.blob && res.ok) blob = await res.blob();
      else text = await res.text();
    } catch (err) {
      return fail({ code: 'network', message: describeNetworkError(err, this.url), status: null });
    }
    if (!res.ok) return fail(errorFrom(res, text));
    if (blob) return ok(blob as T);
    if (!options.schema) return ok(undefined as T);
    let value: unknown;
    try {
      value = text ? JSON.parse(text) : null;
    } catch {
      return fail({
        code: 'bad-response',
        message: `${method} ${path}: the answer is not JSON`,
        status: res.status,
      });
    }
    const parsed = options.schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : '';
      return fail({
        code: 'bad-response',
        message: `${method} ${path}: unexpected answer ${where}`,
        status: res.status,
      });
    }
    return ok(parsed.data);
  }

  #target(path: string, query: RequestOptions<unknown>['query']): string {
    const target = new URL(path, `${this.url}/`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) target.searchParams.set(key, String(value));
    }
    return target.toString();
  }
}

/** Runs a token source call, mapping its failures to values. */
async function credential(get: () => Promise<string>): Promise<ApiResult<string>> {
  try {
    return ok(await get());
  } catch (err) {
    if (err instanceof AuthRequired)
      return fail({ code: 'auth-required', message: err.message, status: 401 });
    const coded = err as Partial<ApiFailure>;
    if (typeof coded.code === 'string') {
      return fail({ code: coded.code, message: String(coded.message), status: coded.status ?? null });
    }
    return fail({ code: 'network', message: err instanceof Error ? err.message : String(err), status: null });
  }
}

function errorFrom(res: Response, text: string): ApiFailure {
  let code = `http-${res.status}`;
  let message = text.slice(0, 200) || res.statusText;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not our JSON (a proxy's page): the status is all there is.
  }
  const failure: ApiFailure = { code, message, status: res.status };
  const retryAfter = Number(res.headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) failure.retryAfterSeconds = retryAfter;
  return failure;
}

function describeNetworkError(err: unknown, url: string): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer from ${url} in time`;
  }
  const cause = (err as { cause?: { code?: unknown } }).cause;
  const why = typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.message : String(err);
  return `cannot reach ${url} (${why})`;
}
