/**
 * The few IndexedDB calls the client's browser stores make (refused changes and meta, the
 * session, the outbox, upload URLs), typed locally (the client compiles without the DOM
 * library), with one rule from Safari (y-indexeddb #44): a connection the browser closed is
 * reopened, and an operation that met a closing connection is tried once more. Writes resolve
 * once their transaction committed.
 */

interface IdbRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbStore {
  get(key: string): IdbRequest<unknown>;
  put(value: unknown, key: string): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
  getAll(): IdbRequest<unknown[]>;
}
interface IdbTransaction {
  objectStore(name: string): IdbStore;
  error: unknown;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}
interface IdbDatabase {
  transaction(stores: string[], mode: 'readonly' | 'readwrite'): IdbTransaction;
  createObjectStore(name: string): unknown;
  objectStoreNames: { contains(name: string): boolean };
  close(): void;
  onclose: (() => void) | null;
  onversionchange: (() => void) | null;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}
export interface IdbFactory {
  open(name: string, version?: number): IdbOpenRequest;
  deleteDatabase(name: string): IdbRequest<unknown>;
  databases?(): Promise<Array<{ name?: string }>>;
}

export function idbFactory(): IdbFactory | null {
  return (globalThis as { indexedDB?: IdbFactory }).indexedDB ?? null;
}

export function request<T>(req: IdbRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(asError(req.error));
  });
}

function committed<T>(tx: IdbTransaction, store: string, fn: (s: IdbStore) => IdbRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const failed = () => reject(asError(tx.error ?? new Error('IndexedDB transaction failed')));
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = tx.onabort = failed;
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

const shared = new Map<string, KeyValueDb>();

/**
 * The origin's small databases (session, outbox, upload URLs), one connection each per page,
 * shared by every store that uses them and reopened when the browser drops it.
 */
export function sharedKeyValueDb(name: string, stores: readonly string[]): KeyValueDb {
  const factory = idbFactory();
  if (!factory) throw new Error('IndexedDB is not available here');
  let db = shared.get(name);
  if (!db) shared.set(name, (db = new KeyValueDb(factory, name, stores)));
  return db;
}

/** One key-value database with fixed object stores, reopened whenever the browser closes it. */
export class KeyValueDb {
  private db: Promise<IdbDatabase> | null = null;

  constructor(
    private readonly factory: IdbFactory,
    private readonly name: string,
    private readonly stores: readonly string[],
  ) {}

  private open(): Promise<IdbDatabase> {
    this.db ??= new Promise<IdbDatabase>((resolve, reject) => {
      const req = this.factory.open(this.name, 1);
      req.onupgradeneeded = () => {
        for (const store of this.stores)
          if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onclose = () => (this.db = null);
        db.onversionchange = () => {
          db.close();
          this.db = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        this.db = null;
        reject(req.error instanceof Error ? req.error : new Error(String(req.error)));
      };
    });
    return this.db;
  }

  /**
   * Runs `fn` on `store` and resolves with its request's result once the transaction committed;
   * once more on a fresh connection if the first one was closing.
   */
  async run<T>(
    store: string,
    mode: 'readonly' | 'readwrite',
    fn: (s: IdbStore) => IdbRequest<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const db = await this.open();
        return await committed(db.transaction([store], mode), store, fn);
      } catch (err) {
        if (attempt > 0 || (err as { name?: string }).name !== 'InvalidStateError') throw err;
        this.db = null;
      }
    }
  }

  async close(): Promise<void> {
    const db = await this.db?.catch(() => null);
    db?.close();
    this.db = null;
  }
}
