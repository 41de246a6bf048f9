/**
 * A light sync client over a raw `ws` socket: it performs the handshake of its dialect (for a Yjs
 * server: sync step 1 with an empty state vector, done when sync step 2 arrives), then hands every
 * message to one callback with the offset where the y-protocols message starts. It keeps no
 * Y.Doc and decodes nothing it is not asked to.
 */
import WebSocket from 'ws';
import { HOCUSPOCUS, MSG_AUTH, MSG_SYNC, STEP2, hocuspocusAuth, syncStep1, type Dialect } from './wire.js';

export interface LightClientOptions {
  url: string;
  dialect: Dialect;
  /** The document (sent in every message by Hocuspocus; in the URL otherwise). */
  doc: string;
  /** Hocuspocus's auth message carries a token; the others take it in the URL. */
  token?: string;
  /** Sync step 1 and wait for step 2 (a Yjs server); false for the byte relay, ready when open. */
  sync: boolean;
  /** Every message after the handshake; `offset` is where the y-protocols message starts. */
  onMessage?: (data: Buffer, offset: number) => void;
  /** The whole step 2 message, when the handshake completes. */
  onSynced?: (data: Buffer, offset: number) => void;
  timeoutMs?: number;
}

export class LightClient {
  readonly prefix: Uint8Array;
  /** When `open()` was called and when the client was ready (performance.now() ms). */
  readonly startedAt: number;
  readyAt = 0;
  closed = false;
  onMessage: ((data: Buffer, offset: number) => void) | null;
  private constructor(
    readonly ws: WebSocket,
    options: LightClientOptions,
    startedAt: number,
  ) {
    this.prefix = options.dialect.prefix(options.doc);
    this.startedAt = startedAt;
    this.onMessage = options.onMessage ?? null;
  }

  /** Connects and resolves once the handshake is complete. */
  static open(options: LightClientOptions): Promise<LightClient> {
    const startedAt = performance.now();
    const ws = new WebSocket(options.url, {
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs ?? 30_000,
    });
    const client = new LightClient(ws, options, startedAt);
    const offset = client.prefix.length;
    return new Promise<LightClient>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(
        () => fail(new Error(`not synced within ${options.timeoutMs ?? 30_000} ms`)),
        options.timeoutMs ?? 30_000,
      );
      const fail = (err: Error) => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      const done = () => {
        ready = true;
        clearTimeout(timer);
        client.readyAt = performance.now();
        resolve(client);
      };
      ws.once('unexpected-response', (_req, res) =>
        fail(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
      );
      ws.on('error', (err) => fail(err));
      ws.once('close', (code) => {
        client.closed = true;
        fail(new Error(`closed during the handshake (${code})`));
      });
      ws.once('open', () => {
        if (options.dialect === HOCUSPOCUS) ws.send(hocuspocusAuth(client.prefix, options.token ?? 'bench'));
        else if (options.sync) ws.send(syncStep1(client.prefix));
        else done();
      });
      ws.on('message', (data: Buffer) => {
        if (ready) {
          client.onMessage?.(data, offset);
          return;
        }
        const type = data[offset];
        if (options.dialect === HOCUSPOCUS && type === MSG_AUTH) {
          // Auth / Authenticated (2): the document is set up; now sync. PermissionDenied (1) fails.
          if (data[offset + 1] === 2) ws.send(syncStep1(client.prefix));
          else fail(new Error('hocuspocus refused the token'));
        } else if (type === MSG_SYNC && data[offset + 1] === STEP2) {
          options.onSynced?.(data, offset);
          done();
        }
      });
    });
  }

  send(frame: Buffer | Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /** Closes and resolves once the socket is closed (or after `timeoutMs`, terminating it). */
  close(timeoutMs = 5_000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, timeoutMs);
      this.ws.once('close', () => {
        clearTimeout(timer);
        this.closed = true;
        resolve();
      });
      this.ws.close();
    });
  }

  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}

/** Runs `count` tasks, at most `concurrency` at a time; every task's result or error, in order. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<Array<PromiseSettledResult<T>>> {
  const results: Array<PromiseSettledResult<T>> = new Array<PromiseSettledResult<T>>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await task(i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** Opens `count` clients (`options(i)`), `concurrency` at a time; throws if any fails. */
export async function openMany(
  count: number,
  concurrency: number,
  options: (i: number) => LightClientOptions,
): Promise<LightClient[]> {
  const settled = await pool(count, concurrency, (i) => LightClient.open(options(i)));
  const clients: LightClient[] = [];
  const errors: unknown[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') clients.push(r.value);
    else errors.push(r.reason);
  }
  if (errors.length > 0) {
    for (const c of clients) c.terminate();
    const first = errors[0] instanceof Error ? errors[0].message : String(errors[0]);
    throw new Error(`${errors.length} of ${count} connections failed; first: ${first}`);
  }
  return clients;
}

/** Closes every client (politely, then terminating stragglers). */
export async function closeAll(clients: readonly LightClient[]): Promise<void> {
  await pool(clients.length, 500, (i) => (clients[i] as LightClient).close(3_000));
}
