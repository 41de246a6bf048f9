/**
 * What the tests run inside the page (through `page.evaluate`): the client module on
 * `window.caucus`, the client under test on `window.client`. Functions passed to `evaluate` are
 * serialized, so they reach these only through `globalThis`.
 */
import type { Page } from 'playwright-core';
import type * as Caucus from '@caucus/client';

export interface PageGlobals {
  caucus: typeof Caucus;
  client: Caucus.CaucusClient;
  /** Every IndexedDB connection the page opened, by database name (see {@link recordIdbConnections}). */
  idbConnections?: Array<{ name: string; db: { close(): void } }>;
}

export interface PageClientOptions {
  url: string;
  token: string;
  user: string;
  offline?: boolean;
  tabs?: string | false;
  sharedConnection?: boolean;
}

/** Makes `window.client`: IndexedDB storage, an API token, offline when asked. */
export async function pageClient(page: Page, options: PageClientOptions): Promise<void> {
  await page.evaluate((o) => {
    const g = globalThis as unknown as PageGlobals;
    const { createClient, indexedDbStorage, staticToken } = g.caucus;
    g.client = createClient({
      url: o.url,
      auth: staticToken(o.token),
      user: o.user as NonNullable<Caucus.ClientOptions['user']>,
      storage: indexedDbStorage(),
      ...(o.offline ? { offline: true } : {}),
      ...(o.tabs !== undefined ? { tabs: o.tabs } : {}),
      ...(o.sharedConnection ? { sharedConnection: true } : {}),
    });
  }, options);
}

/** Records each IndexedDB connection the page opens (an init script: call before loading). */
export async function recordIdbConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const g = globalThis as unknown as PageGlobals & {
      indexedDB: {
        open(
          name: string,
          version?: number,
        ): { addEventListener(e: string, f: () => void): void; result: { close(): void } };
      };
    };
    const connections: NonNullable<PageGlobals['idbConnections']> = [];
    g.idbConnections = connections;
    const factory = Object.getPrototypeOf(g.indexedDB) as typeof g.indexedDB;
    const open = factory.open.bind(g.indexedDB);
    factory.open = (name: string, version?: number) => {
      const request = open(name, version);
      request.addEventListener('success', () => connections.push({ name, db: request.result }));
      return request;
    };
  });
}

/** Records in the `updates` store of y-indexeddb's database of `doc` (a fresh connection). */
export function storedRecords(page: Page, doc: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const idb = (globalThis as unknown as { indexedDB: IdbLike }).indexedDB;
        const req = idb.open(name);
        req.onsuccess = () => {
          const db = req.result;
          const count = db.transaction(['updates'], 'readonly').objectStore('updates').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result as number);
          };
          count.onerror = () => reject(new Error('count failed'));
        };
        req.onerror = () => reject(new Error(`cannot open ${name}`));
      }),
    `caucus:${doc}`,
  );
}

interface IdbReq<T> {
  result: T;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbLike {
  open(name: string): IdbReq<{
    transaction(s: string[], m: string): { objectStore(n: string): { count(): IdbReq<unknown> } };
    close(): void;
  }>;
}
