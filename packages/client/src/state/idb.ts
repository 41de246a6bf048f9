/**
 * The little of IndexedDB the client's browser stores use, typed here because the repo compiles
 * without the DOM library (adding it would change Node's `fetch` types everywhere), plus promise
 * helpers: one short-lived connection per operation, because Safari drops idle connections
 * (y-indexeddb #44) and these stores are touched rarely.
 */

export interface IdbRequest<T = unknown> {
  result: T;
  error: Error | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}

export interface IdbObjectStore {
  get(key: string): IdbRequest;
  getAll(): IdbRequest<unknown[]>;
  put(value: unknown, key?: string): IdbRequest;
  delete(key: string): IdbRequest;
}

export interface IdbTransaction {
  objectStore(name: string): IdbObjectStore;
  error: Error | null;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export interface IdbDatabase {
  objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string, options?: { keyPath?: string }): unknown;
  transaction(stores: string | string[], mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
}

interface IdbFactory {
  open(name: string, version?: number): IdbOpenRequest;
}

function factory(): IdbFactory {
  const idb = (globalThis as { indexedDB?: IdbFactory }).indexedDB;
  if (!idb) throw new Error('IndexedDB is not available here');
  return idb;
}

/** Opens `name`, creating `stores` (out-of-line keys, or `keyPath`) on first use. */
export function openIdb(name: string, stores: Record<string, { keyPath?: string }>): Promise<IdbDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory().open(name, 1);
    request.onupgradeneeded = () => {
      for (const [store, options] of Object.entries(stores)) {
        if (!request.result.objectStoreNames.contains(store))
          request.result.createObjectStore(store, options);
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open IndexedDB ${name}`));
    request.onblocked = () => reject(new Error(`IndexedDB ${name} is blocked by another tab`));
  });
}

/** Runs `act` in one transaction on a fresh connection; resolves with its request's result once committed. */
export async function idbRun<T>(
  dbName: string,
  stores: Record<string, { keyPath?: string }>,
  store: string,
  mode: 'readonly' | 'readwrite',
  act: (store: IdbObjectStore) => IdbRequest<T> | IdbRequest,
): Promise<T> {
  const db = await openIdb(dbName, stores);
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = act(tx.objectStore(store));
      tx.oncomplete = () => resolve(request.result as T);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}
