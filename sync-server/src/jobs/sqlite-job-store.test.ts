import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../storage/db.js';
import { runJobStoreContract } from './job-store.contract.js';
import { nextTurn, SqliteJobStore } from './sqlite-job-store.js';

runJobStoreContract<Db>('sqlite', (clock) => {
  const db = openDb({ path: ':memory:' });
  return Promise.resolve({
    store: new SqliteJobStore(db, () => clock.now),
    // An explicit BEGIN/COMMIT, so that the callback may await (nothing else writes meanwhile).
    transaction: async (fn) => {
      db.$client.exec('BEGIN IMMEDIATE');
      try {
        await fn(db);
      } catch (err) {
        db.$client.exec('ROLLBACK');
        throw err;
      }
      db.$client.exec('COMMIT');
    },
    close: () => {
      db.$client.close();
      return Promise.resolve();
    },
  });
});

describe('nextTurn', () => {
  it('is the first multiple of the period after now', () => {
    expect(nextTurn(1_000, 100, 900)).toBe(1_100);
    expect(nextTurn(1_000, 100, 1_000)).toBe(1_100);
    expect(nextTurn(1_000, 100, 1_250)).toBe(1_300);
  });
});
