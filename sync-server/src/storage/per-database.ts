/**
 * Statements prepared once per database: `perDatabase(prepare)` is a function that returns, for
 * each database, what `prepare` made of it the first time it was asked (kept as long as the
 * database object lives). What the read model's queries and the access check use, so a query
 * costs its execution, not a parse.
 */
import type { Db } from './db.js';

export function perDatabase<T>(prepare: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) {
      value = prepare(db);
      made.set(db, value);
    }
    return value;
  };
}
