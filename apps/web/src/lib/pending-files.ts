/**
 * Files the user gave a thread that are not uploaded yet, kept in IndexedDB (the `File` itself,
 * structured-cloned with its name, type and lastModified), so that an upload survives a reload or
 * a closed tab: the next visit to the thread resumes it from the server's offset, the tus
 * fingerprint (name, type, size, lastModified) finding the upload it began. Removed once the
 * upload finished or was cancelled.
 */

export interface PendingFile {
  /** Ours, not the server's: the upload's key in this browser. */
  id: string;
  threadId: string;
  file: File;
  addedAt: number;
  /** Paused by the user: a reload keeps it paused. */
  paused: boolean;
}

const STORE = 'files';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export class PendingFiles {
  readonly #db: Promise<IDBDatabase>;

  constructor(name: string) {
    this.#db = new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => {
        const store = open.result.createObjectStore(STORE, { keyPath: 'id' });
        store.createIndex('thread', 'threadId');
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error(`cannot open ${name}`));
    });
  }

  async #store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.#db).transaction(STORE, mode).objectStore(STORE);
  }

  async put(entry: PendingFile): Promise<void> {
    await request((await this.#store('readwrite')).put(entry));
  }

  async get(id: string): Promise<PendingFile | undefined> {
    return request((await this.#store('readonly')).get(id) as IDBRequest<PendingFile | undefined>);
  }

  /** The thread's pending files, oldest first. */
  async ofThread(threadId: string): Promise<PendingFile[]> {
    const index = (await this.#store('readonly')).index('thread');
    const all = await request(index.getAll(threadId) as IDBRequest<PendingFile[]>);
    return all.sort((a, b) => a.addedAt - b.addedAt);
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    const entry = await this.get(id);
    if (entry) await this.put({ ...entry, paused });
  }

  async remove(id: string): Promise<void> {
    await request((await this.#store('readwrite')).delete(id));
  }
}
