/**
 * createClient: one Caucus client for browser and Node — documents by name over one multiplexed
 * connection, an offline store, the refused list, and the status of it all. The intent outbox
 * and uploads attach to it (`attach`), sharing its connection status, store and flush.
 * Its options and the shape of a part are in `client-options.ts`; whose the store is (server and
 * user) in `store-owner.ts`.
 */
import type { DecisionId, ThreadId, UserId, WorkspaceId } from '@caucus/schema';
import { decisionDoc, inboxDoc, threadDoc, workspaceDoc } from '@caucus/schema';
import type { TokenSource } from './auth/token-source.js';
import type { ClientOptions, ClientPart } from './client-options.js';
import {
  ClientStatusStore,
  type ClientProblem,
  type ClientStatus,
  type OutboxStatus,
} from './client-status.js';
import { DocRegistry, type DocHandle } from './docs/registry.js';
import { RefusedList } from './docs/refused-list.js';
import { DecisionView, InboxView, WorkspaceView } from './docs/server-docs.js';
import { ThreadView } from './docs/thread.js';
import { ClientError } from './errors.js';
import type { Observable } from './observable.js';
import { memoryStorage } from './storage/memory.js';
import type { ClientStorage } from './storage/types.js';
import { checkStoreServer, lookUpUser } from './store-owner.js';
import { MuxConnection } from './sync/connection.js';
import { SyncSession } from './sync/session.js';
import { applyUpdate, encodeStateAsUpdate, encodeStateVector } from 'yjs';
import type { SharedConnection } from './sync/shared-connection.js';
import { canShareConnection, TAB_ORIGIN, TabChannel } from './sync/tabs.js';
import { browserTransport, syncUrl } from './sync/transport.js';

export type { ClientOptions, ClientPart } from './client-options.js';

/** How long `flush()` waits by default (ms). */
const FLUSH_TIMEOUT_MS = 30_000;

export class CaucusClient {
  readonly url: string;
  readonly auth: TokenSource;
  readonly storage: ClientStorage;
  readonly refused: RefusedList;
  readonly status: Observable<ClientStatus>;
  private readonly statusStore: ClientStatusStore;
  private readonly registry: DocRegistry;
  private readonly session: SyncSession;
  private readonly connection: MuxConnection;
  private readonly parts: ClientPart[] = [];
  private readonly partStatus = new Map<ClientPart, OutboxStatus>();
  private readonly tabs: TabChannel | null;
  /** Set once the shared-connection module has loaded (a chunk of its own, loaded on demand). */
  private shared: SharedConnection | null = null;
  /** Whether this client shares the tabs' connection (`sharedConnection`, where the browser can). */
  readonly sharesConnection: boolean;
  private problem: ClientProblem | null = null;
  private userId: Promise<UserId> | null;
  private closed = false;
  private readonly ready: Promise<void>;

  constructor(options: ClientOptions) {
    this.url = new URL(options.url).origin;
    this.auth = options.auth;
    this.storage = options.storage ?? memoryStorage();
    this.refused = new RefusedList(this.storage.refused);
    this.userId = options.user ? Promise.resolve(options.user) : null;
    this.statusStore = new ClientStatusStore({
      connection: () => ({
        state: this.leads ? this.connection.status.current.state : (this.shared?.leaderState ?? 'offline'),
        problem: this.problem ?? this.connection.status.current.problem,
      }),
      docs: () =>
        [...this.registry.all()].map((e) => [e.name, e.status.current] as [string, typeof e.status.current]),
      refused: () => this.refused.current,
      outbox: () => {
        let outbox = 0;
        const needsAttention = [];
        for (const s of this.partStatus.values()) {
          outbox += s.outbox;
          needsAttention.push(...s.needsAttention);
        }
        return { outbox, needsAttention };
      },
    });
    this.status = this.statusStore;
    const invalidate = () => this.statusStore.invalidate();
    this.registry = new DocRegistry(this.storage, {
      opened: (entry) => {
        entry.status.subscribe(invalidate);
        this.session.attach(entry);
        this.tabs?.attach(entry);
        this.shared?.opened(entry);
        invalidate();
      },
      closing: (entry) => {
        this.session.detach(entry);
        invalidate();
      },
      held: (entry) => this.session.askAgain(entry),
    });
    const tabs = options.tabs ?? (this.storage.kind === 'indexeddb' ? `caucus:${this.url}` : false);
    this.tabs = tabs === false ? null : new TabChannel(tabs, this.registry);
    this.session = new SyncSession(this.registry, {
      refused: (change) => this.refused.add(change),
      now: Date.now,
      random: Math.random,
    });
    this.connection = new MuxConnection({
      url: syncUrl(this.url),
      auth: options.auth,
      transport: options.transport ?? browserTransport(),
      listener: this.session,
      ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    this.session.connection = this.connection;
    this.connection.status.subscribe(invalidate);
    this.sharesConnection = Boolean(options.sharedConnection && this.tabs && canShareConnection());
    if (this.sharesConnection) void this.share(options.offline === true);
    this.refused.subscribe(invalidate);
    this.ready = this.checkStore();
    // A tab sharing the connection connects once it leads (see SharedConnection).
    if (!options.offline && !this.sharesConnection) void this.ready.then(() => this.connect());
  }

  private async share(offline: boolean): Promise<void> {
    const { startSharing } = await import('./sync/shared-connection.js');
    if (this.closed) return;
    this.shared = startSharing(this.url, this.registry, this.connection, this.tabs, {
      lead: () => {
        if (!offline) void this.ready.then(() => this.connect());
      },
      changed: () => this.statusStore.invalidate(),
      yjs: { applyUpdate, encodeStateAsUpdate, encodeStateVector },
      tabOrigin: TAB_ORIGIN,
    });
  }

  /** Whether this tab holds the connection its tabs share (always true without `sharedConnection`). */
  get leads(): boolean {
    return this.shared ? this.shared.leading : !this.sharesConnection;
  }

  /** The store must belong to this server: documents of two servers never mix. */
  private async checkStore(): Promise<void> {
    const problem = await checkStoreServer(this.storage, this.url);
    if (!problem) return;
    this.problem = problem;
    this.statusStore.invalidate();
  }

  /** Starts connecting (again): after `offline: true`, an `auth-required` stop, or to skip a backoff wait. */
  connect(): void {
    if (this.closed || this.problem || !this.leads) return;
    if (this.connection.state === 'offline' && this.connection.status.current.retryAt !== null)
      this.connection.retryNow();
    else if (this.connection.status.current.problem) this.connection.retryNow();
    else this.connection.start();
  }

  /** Closes the connection, keeping documents open and editable offline. */
  disconnect(): void {
    this.connection.stop();
  }

  /** Opens a document by name (`thread:<id>`, …); every opener shares one Y.Doc. Release when done. */
  open(name: string): DocHandle {
    return this.registry.open(name);
  }

  thread(id: ThreadId | string): ThreadView {
    return new ThreadView(this.open(threadDoc(id as ThreadId)), () => this.user());
  }

  decision(id: DecisionId | string): DecisionView {
    return new DecisionView(this.open(decisionDoc(id as DecisionId)));
  }

  inbox(userId: UserId | string): InboxView {
    return new InboxView(this.open(inboxDoc(userId as UserId)));
  }

  workspace(id: WorkspaceId | string): WorkspaceView {
    return new WorkspaceView(this.open(workspaceDoc(id as WorkspaceId)));
  }

  /** Who this client writes as: the `user` option, else remembered in the store, else `GET /api/me`. */
  user(): Promise<UserId> {
    this.userId ??= lookUpUser(this.storage, this.url, this.auth);
    this.userId.catch(() => (this.userId = null));
    return this.userId;
  }

  /** Adds a part (the intent outbox, uploads): its status joins the client's, its flush `flush()`. */
  attach(part: ClientPart): void {
    this.parts.push(part);
    if (part.status) {
      this.partStatus.set(part, part.status.current);
      part.status.subscribe((value) => {
        this.partStatus.set(part, value);
        this.statusStore.invalidate();
      });
    }
    this.statusStore.invalidate();
  }

  /**
   * Resolves once every attached part has sent what it holds and every open document's changes
   * are acknowledged by the server; rejects (`offline`) when the client is not connected or
   * connecting, and (`timeout`) after `timeoutMs`.
   */
  async flush({ timeoutMs = FLUSH_TIMEOUT_MS }: { timeoutMs?: number } = {}): Promise<void> {
    // A tab following a shared connection is as connected as the tab that leads.
    const offline = () =>
      (this.leads ? this.connection.state : (this.shared?.leaderState ?? 'offline')) === 'offline';
    if (this.closed) throw new ClientError('closed', 'the client is closed');
    if (offline()) throw new ClientError('offline', 'not connected to the server');
    const deadline = Date.now() + timeoutMs;
    await Promise.all(this.parts.map((p) => (p.flush ? p.flush() : Promise.resolve())));
    const done = () =>
      [...this.registry.all()].every(
        (e) =>
          e.status.current.denied !== null || (e.status.current.synced && e.status.current.unsynced === 0),
      );
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          off();
          reject(new ClientError('timeout', `changes still unacknowledged after ${timeoutMs} ms`));
        },
        Math.max(0, deadline - Date.now()),
      );
      const off = this.status.subscribe(() => {
        if (!done()) return;
        clearTimeout(timer);
        off();
        resolve();
      });
      this.statusStore.invalidate();
    });
  }

  /** Closes every document, the connection, the attached parts and the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.stop();
    this.shared?.close();
    this.tabs?.close();
    await Promise.all(this.parts.map((p) => (p.close ? p.close() : Promise.resolve())));
    await this.registry.close();
    await this.ready.catch(() => undefined);
    await this.refused.whenLoaded;
    await this.storage.close();
  }
}

export function createClient(options: ClientOptions): CaucusClient {
  return new CaucusClient(options);
}
