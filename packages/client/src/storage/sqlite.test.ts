import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { runStorageContract } from './contract.js';
import { sqliteStorage, STATE_DB_FILE } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'caucus-client-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStorageContract('sqlite', () => sqliteStorage(dir));

describe('sqlite state dir', () => {
  it('is readable by its owner only', async () => {
    const stateDir = join(dir, 'private');
    const s = sqliteStorage(stateDir);
    s.bind('thread:p', new Y.Doc()).saveAcked(new Uint8Array([0]));
    await s.close();
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateDir, STATE_DB_FILE)).mode & 0o777).toBe(0o600);
  });

  it('two processes sharing a state dir keep both their updates through compaction', async () => {
    const stateDir = join(dir, 'shared');
    const a = sqliteStorage(stateDir);
    const b = sqliteStorage(stateDir);
    const docA = new Y.Doc();
    const docB = new Y.Doc();
    a.bind('thread:s', docA);
    b.bind('thread:s', docB);
    docA.getText('body').insert(0, 'A');
    docB.getArray('list').push(['B']);
    await a.close();
    // Both rows are in one table; a third opener loads (and compacts) them together.
    const c = sqliteStorage(stateDir);
    const merged = new Y.Doc();
    await c.bind('thread:s', merged).loaded;
    expect(merged.getText('body').toJSON()).toBe('A');
    expect(merged.getArray('list').toJSON()).toEqual(['B']);
    await b.close();
    await c.close();
  });
});
