/**
 * A file writer for upload bytes: network reads arrive in pieces of 64 KiB or less, and one write
 * system call each costs more than the bytes. This one accepts pieces until it holds about
 * `runBytes`, then writes them with one `writev` (no copying) and takes more once that is done.
 * Bytes it holds when the request breaks off (the stream is destroyed) are still written before
 * the file is closed: they arrived in order, and the client need not send them again.
 */
import { close, open, writev } from 'node:fs';
import { Writable } from 'node:stream';

export class RunWriter extends Writable {
  readonly #path: string;
  #position: number;
  readonly #runBytes: number;
  #fd: number | null = null;
  #held: Buffer[] = [];
  #heldBytes = 0;

  constructor(path: string, position: number, runBytes: number) {
    super({ highWaterMark: runBytes });
    this.#path = path;
    this.#position = position;
    this.#runBytes = runBytes;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.#path, 'r+', (err, fd) => {
      this.#fd = err ? null : fd;
      callback(err);
      if (!err) this.emit('ready');
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes < this.#runBytes) callback();
    else this.#writeHeld(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#writeHeld(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fd = this.#fd;
    if (fd === null) return callback(error);
    this.#writeHeld(() => {
      this.#fd = null;
      close(fd, (closeErr) => callback(error ?? closeErr));
    });
  }

  #writeHeld(callback: (error?: Error | null) => void): void {
    const buffers = this.#held;
    const total = this.#heldBytes;
    this.#held = [];
    this.#heldBytes = 0;
    if (total === 0 || this.#fd === null) return callback();
    this.#writeAll(buffers, total, callback);
  }

  #writeAll(buffers: Buffer[], total: number, callback: (error?: Error | null) => void): void {
    if (this.#fd === null) return callback(new Error('file closed'));
    writev(this.#fd, buffers, this.#position, (err, written) => {
      if (err) return callback(err);
      this.#position += written;
      if (written === total) return callback();
      // A short write: go on with what is left.
      let skip = written;
      const rest: Buffer[] = [];
      for (const b of buffers) {
        if (skip >= b.length) skip -= b.length;
        else {
          rest.push(skip > 0 ? b.subarray(skip) : b);
          skip = 0;
        }
      }
      this.#writeAll(rest, total - written, callback);
    });
  }
}
