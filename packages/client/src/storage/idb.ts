/**
 * The few IndexedDB calls the browser storage makes, typed locally (the client compiles without
 * the DOM library), with one rule from Safari (y-indexeddb #44): a connection the browser closed
 * is reopened, and an operation that met a closing connection is tried once more.
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
interface IdbDatabase {
  transaction(stores: string[], mode: 'readonly' | 'readwrite'): { objectStore(name: string): IdbStore };
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
    req.onerror = () => reject(req.error instanceof Error ? req.error : new Error(String(req.error)));
  });
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

  /** Runs `fn` on `store`; once more on a fresh connection if the first one was closing. */
  async run<T>(
    store: string,
    mode: 'readonly' | 'readwrite',
    fn: (s: IdbStore) => IdbRequest<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const db = await this.open();
        return await request(fn(db.transaction([store], mode).objectStore(store)));
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
