import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, expect, it } from 'vitest';
import { RunWriter } from './run-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'caucus-run-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pieces(total: number, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < total; i += size)
    out.push(Buffer.from(Array.from({ length: Math.min(size, total - i) }, (_, j) => (i + j) % 251)));
  return out;
}

it('writes every piece in order at the given position, in runs', async () => {
  const path = join(dir, 'a');
  writeFileSync(path, Buffer.from('HEAD'));
  const input = pieces(100_000, 777);
  await pipeline(Readable.from(input), new RunWriter(path, 4, 10_000));
  const file = readFileSync(path);
  expect(file.subarray(0, 4).toString()).toBe('HEAD');
  expect(file.subarray(4).equals(Buffer.concat(input))).toBe(true);
});

it('still writes what it holds when the source breaks off', async () => {
  const path = join(dir, 'b');
  writeFileSync(path, '');
  const input = pieces(5000, 1000);
  const source = new Readable({ read() {} });
  const writer = new RunWriter(path, 0, 1_000_000);
  const closed = new Promise((resolve) => writer.once('close', resolve));
  const done = pipeline(source, writer);
  await new Promise((resolve) => writer.once('ready', resolve));
  for (const piece of input) source.push(piece);
  await new Promise((resolve) => setImmediate(resolve));
  source.destroy(new Error('connection reset'));
  await expect(done).rejects.toThrow('connection reset');
  await closed;
  expect(readFileSync(path).equals(Buffer.concat(input))).toBe(true);
});
