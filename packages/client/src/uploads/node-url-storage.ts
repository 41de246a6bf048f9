/**
 * A file-backed {@link UrlStorage} for Node: `<stateDir>/uploads.json`, replaced atomically (write
 * a temporary file, then rename), so a process killed mid-write leaves the old or the new list,
 * never half of one. Writes from one process are serialized; processes sharing a state dir may
 * lose each other's concurrent additions (the upload then starts afresh instead of resuming).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  entriesWithPrefix,
  storageKey,
  type PreviousUpload,
  type StoredUpload,
  type UrlStorage,
} from './url-storage.js';

export const URL_STORE_FILE = 'uploads.json';

export class FileUrlStorage implements UrlStorage {
  readonly path: string;
  readonly #dir: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string) {
    this.#dir = stateDir;
    this.path = join(stateDir, URL_STORE_FILE);
  }

  async findAllUploads(): Promise<PreviousUpload[]> {
    return entriesWithPrefix(await this.#read(), 'tus::');
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    return entriesWithPrefix(await this.#read(), `tus::${fingerprint}::`);
  }

  removeUpload(urlStorageKey: string): Promise<void> {
    return this.#update((data) => {
      delete data[urlStorageKey];
    });
  }

  async addUpload(fingerprint: string, upload: StoredUpload): Promise<string> {
    const key = storageKey(fingerprint);
    await this.#update((data) => {
      data[key] = upload;
    });
    return key;
  }

  async #read(): Promise<Record<string, StoredUpload>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null ? (value as Record<string, StoredUpload>) : {};
    } catch {
      // Unreadable state only costs resumability: start over with an empty list.
      return {};
    }
  }

  #update(change: (data: Record<string, StoredUpload>) => void): Promise<void> {
    const run = async () => {
      const data = await this.#read();
      change(data);
      await mkdir(this.#dir, { recursive: true });
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(data), { mode: 0o600 });
      await rename(temp, this.path);
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
