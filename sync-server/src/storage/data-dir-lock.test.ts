import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, type DataDirLock } from './data-dir-lock.js';

describe('data-directory lock', () => {
  const dirs: string[] = [];
  const locks: DataDirLock[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'caucus-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const l of locks.splice(0)) l.release();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second holder, naming the first one’s pid, until the first releases it', () => {
    const d = dir();
    const first = lockDataDir(d, 4242);
    locks.push(first);
    let refused: unknown;
    try {
      locks.push(lockDataDir(d, 4343));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as DataDirLockedError).holderPid).toBe(4242);
    expect((refused as DataDirLockedError).code).toBe('data-dir-locked');
    expect((refused as Error).message).toContain('pid 4242');
    expect((refused as Error).message).toContain(d);

    first.release();
    first.release();
    const next = lockDataDir(d, 4343);
    locks.push(next);
    expect(() => lockDataDir(d, 4444)).toThrow(/pid 4343/);
  });

  it('locks directories independently', () => {
    locks.push(lockDataDir(dir()), lockDataDir(dir()));
    expect(locks).toHaveLength(2);
  });
});
