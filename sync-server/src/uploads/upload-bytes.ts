/**
 * Where upload bytes live, behind the small interface the upload service needs. The tus server
 * writes through the same `FileStore`; removals take the same per-upload lock tus takes, so a
 * removal never races a PATCH that is writing.
 */
import { once } from 'node:events';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS, MemoryLocker } from '@tus/server';
import { isId, type UploadId } from '@caucus/schema';
import { RunningDigest, type FileDigest } from './inspect.js';
import { PRIVATE_FILE_MODE } from '../storage/file-modes.js';
import { RunWriter } from './run-writer.js';
import { TusError } from './tus-error.js';

export interface UploadBytes {
  /** A local file to read a finished upload's bytes from. */
  localPath(id: UploadId): string;
  /** Bytes received so far and the declared length (null while deferred); null when there is no such upload. */
  progress(id: UploadId): Promise<{ offset: number; size: number | null } | null>;
  /** Removes the bytes and their tus record; nothing happens when they are already gone. */
  remove(id: UploadId): Promise<void>;
  /** Ids of every upload held, for sweeping ones no row refers to. */
  list(): Promise<string[]>;
  /**
   * The digest of all `size` bytes of upload `id` when they were seen arriving in order in this
   * process (so the file need not be read again), else null. Forgets it either way.
   */
  takeDigest(id: UploadId, size: number): FileDigest | null;
}

/** Upload bytes are written to disk in runs of about this size. */
const WRITE_RUN_BYTES = 1024 * 1024;

/** How long a request waiting for an upload's lock gives the holder to finish, before it is aborted. */
export const LOCK_DRAIN_TIMEOUT_MS = 1000;

/**
 * @tus/file-store's store, with every byte written also fed to a {@link RunningDigest} of its
 * upload. A digest stays valid only while writes continue exactly where the last one ended; any
 * failed write or gap drops it (the finished file is then hashed from disk).
 */
export class DigestingFileStore extends FileStore {
  readonly digests = new Map<string, RunningDigest>();
  /** Told how many bytes each write took in, cut short or not. */
  onWritten: (bytes: number) => void = () => undefined;

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    let digest = this.digests.get(id);
    if (digest && digest.size !== offset) {
      this.digests.delete(id);
      digest = undefined;
    }
    if (!digest && offset === 0) {
      digest = new RunningDigest();
      this.digests.set(id, digest);
    }
    const path = join(this.directory, id);
    if (!isId(id)) throw TusError.of(ERRORS.FILE_NOT_FOUND);
    let written = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        digest?.update(chunk);
        callback(null, chunk);
      },
    });
    const writer = new RunWriter(path, offset, WRITE_RUN_BYTES);
    try {
      await pipeline(readable, tap, writer);
    } catch {
      this.digests.delete(id);
      // The writer still writes what it held; the lock is not released before that is on disk.
      if (!writer.closed) await once(writer, 'close');
      throw TusError.of(ERRORS.FILE_WRITE_ERROR);
    } finally {
      this.onWritten(written);
    }
    return offset + written;
  }

  /**
   * The bytes file and its tus record (`<id>.json`: name, type, thread) are made owner-only
   * before @tus/file-store writes them (it keeps an existing file's mode).
   */
  override async create(file: Parameters<FileStore['create']>[0]): ReturnType<FileStore['create']> {
    if (!isId(file.id)) throw TusError.of(ERRORS.FILE_NOT_FOUND);
    const path = join(this.directory, file.id);
    await writeFile(path, '', { mode: PRIVATE_FILE_MODE });
    await writeFile(`${path}.json`, '', { mode: PRIVATE_FILE_MODE });
    return super.create(file);
  }

  override async remove(id: string): Promise<void> {
    this.digests.delete(id);
    return super.remove(id);
  }
}

export class FileUploadBytes implements UploadBytes {
  readonly store: DigestingFileStore;
  readonly locker: MemoryLocker;
  readonly #dir: string;

  constructor(dir: string, expiryMs: number, onWritten?: (bytes: number) => void) {
    this.#dir = dir;
    this.store = new DigestingFileStore({ directory: dir, expirationPeriodInMilliseconds: expiryMs });
    if (onWritten) this.store.onWritten = onWritten;
    this.locker = new MemoryLocker();
  }

  takeDigest(id: UploadId, size: number): FileDigest | null {
    const digest = this.store.digests.get(id);
    this.store.digests.delete(id);
    return digest && digest.size === size ? digest.digest() : null;
  }

  localPath(id: UploadId): string {
    // Ids are checked before they reach here; this is the last line, not the first.
    if (!isId(id)) throw new Error(`not an upload id: ${JSON.stringify(id)}`);
    return join(this.#dir, id);
  }

  async progress(id: UploadId): Promise<{ offset: number; size: number | null } | null> {
    try {
      const upload = await this.store.getUpload(id);
      return { offset: upload.offset, size: upload.size ?? null };
    } catch {
      return null;
    }
  }

  async remove(id: UploadId): Promise<void> {
    const lock = this.locker.newLock(id);
    const abort = new AbortController();
    // Whoever holds the lock is asked to let go; the removal itself is quick and never asked to.
    await lock.lock(abort.signal, () => undefined);
    this.store.digests.delete(id);
    try {
      await unlink(this.localPath(id)).catch(ignoreMissing);
      await unlink(`${this.localPath(id)}.json`).catch(ignoreMissing);
    } finally {
      await lock.unlock();
    }
  }

  async list(): Promise<string[]> {
    const keys = (await this.store.configstore.list?.()) ?? [];
    return keys.filter(isId);
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
