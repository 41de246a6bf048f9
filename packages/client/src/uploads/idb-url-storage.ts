/**
 * The browser's {@link UrlStorage}: upload URLs kept in IndexedDB (`caucus-uploads`) rather than
 * tus-js-client's default `localStorage` (tus-js-client #664: `localStorage` is synchronous, small,
 * absent in workers, and never cleaned up). A connection the browser dropped (Safari) is reopened.
 */
import { sharedKeyValueDb } from '../storage/idb.js';
import { storageKey, type PreviousUpload, type StoredUpload, type UrlStorage } from './url-storage.js';

export const UPLOADS_IDB_NAME = 'caucus-uploads';
const STORES = ['uploads'];

interface Row {
  key: string;
  fingerprint: string;
  upload: StoredUpload;
}

export class IdbUrlStorage implements UrlStorage {
  constructor(private readonly dbName: string = UPLOADS_IDB_NAME) {}

  private db() {
    return sharedKeyValueDb(this.dbName, STORES);
  }

  async findAllUploads(): Promise<PreviousUpload[]> {
    return this.#find(() => true);
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    return this.#find((row) => row.fingerprint === fingerprint);
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    await this.db().run('uploads', 'readwrite', (s) => s.delete(urlStorageKey));
  }

  async addUpload(fingerprint: string, upload: StoredUpload): Promise<string> {
    const row: Row = { key: storageKey(fingerprint), fingerprint, upload };
    await this.db().run('uploads', 'readwrite', (s) => s.put(row, row.key));
    return row.key;
  }

  async #find(match: (row: Row) => boolean): Promise<PreviousUpload[]> {
    const rows = ((await this.db().run('uploads', 'readonly', (s) => s.getAll())) ?? []) as Row[];
    return rows
      .filter((row) => typeof row?.key === 'string' && match(row))
      .map((row) => ({ ...row.upload, urlStorageKey: row.key }))
      .sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime));
  }
}

/** Whether this runtime has IndexedDB (a browser, a worker). */
export function hasIndexedDb(): boolean {
  return typeof (globalThis as { indexedDB?: unknown }).indexedDB === 'object';
}
