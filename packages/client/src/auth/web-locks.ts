/**
 * Serialising work across the tabs of one origin with the Web Locks API, where the browser has it
 * (every current one); within one tab only otherwise.
 */
import { Mutex } from './session-store.js';

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** Runs tasks under the named Web Lock, or a tab-local mutex without Web Locks. */
export function webLock(name: string): <T>(task: () => Promise<T>) => Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (locks) return (task) => locks.request(name, task);
  const mutex = new Mutex();
  return (task) => mutex.run(task);
}
