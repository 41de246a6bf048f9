/**
 * Notices changes to `threads` rows (created, archived, restored, …) and to private threads'
 * members, whoever makes them, so the catalogs follow status and membership changes without every
 * writer having to announce them.
 *
 * A TEMP trigger calls a function registered on this connection only: other connections (the CLI,
 * another process) neither fire it nor need the function. The function runs inside the writing
 * transaction, so it only notes the id; listeners are called on the next turn of the event loop,
 * after that (synchronous) transaction has committed. A rolled-back write may still be reported,
 * which is harmless for listeners that re-read the row.
 */
import type { ThreadId } from '@caucus/schema';
import type { Db } from '../storage/db.js';

const FUNCTION = 'caucus_thread_row_changed';
const TRIGGERS = [
  'caucus_thread_row_inserted',
  'caucus_thread_row_updated',
  'caucus_thread_member_added',
  'caucus_thread_member_removed',
] as const;

export interface ThreadRowChanges {
  /** New rows. */
  inserted: ThreadId[];
  /** Rows changed, or whose members changed (and not inserted in the same turn). */
  updated: ThreadId[];
}

/**
 * Calls `listener` with the `threads` rows changed through `db`; returns the unwatch. One watcher
 * per connection (the function and triggers have fixed names).
 */
export function watchThreadRows(db: Db, listener: (changes: ThreadRowChanges) => void): () => void {
  const sqlite = db.$client;
  const inserted = new Set<ThreadId>();
  const updated = new Set<ThreadId>();
  let scheduled = false;
  let active = true;
  sqlite.function(FUNCTION, { deterministic: false }, (id: unknown, insert: unknown) => {
    if (!active || typeof id !== 'string') return null;
    (insert === 1 ? inserted : updated).add(id as ThreadId);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        const changes = { inserted: [...inserted], updated: [...updated].filter((i) => !inserted.has(i)) };
        inserted.clear();
        updated.clear();
        if (active) listener(changes);
      });
    }
    return null;
  });
  sqlite.exec(
    `CREATE TEMP TRIGGER IF NOT EXISTS ${TRIGGERS[0]} AFTER INSERT ON main.threads BEGIN SELECT ${FUNCTION}(new.id, 1); END;
     CREATE TEMP TRIGGER IF NOT EXISTS ${TRIGGERS[1]} AFTER UPDATE ON main.threads BEGIN SELECT ${FUNCTION}(new.id, 0); END;
     CREATE TEMP TRIGGER IF NOT EXISTS ${TRIGGERS[2]} AFTER INSERT ON main.thread_members BEGIN SELECT ${FUNCTION}(new.thread_id, 0); END;
     CREATE TEMP TRIGGER IF NOT EXISTS ${TRIGGERS[3]} AFTER DELETE ON main.thread_members BEGIN SELECT ${FUNCTION}(old.thread_id, 0); END;`,
  );
  return () => {
    active = false;
    if (sqlite.open) for (const name of TRIGGERS) sqlite.exec(`DROP TRIGGER IF EXISTS temp.${name}`);
  };
}
