/**
 * Helpers for read-model end-to-end tests: waiting for the projection by its events, with a
 * deadline instead of sleeps.
 */
import type { RunningServer } from '@caucus/sync-server';

/**
 * Resolves once `check()` holds, checking now and after each projection of `threadId`; rejects
 * when it still does not hold `deadlineMs` from now.
 */
export function whenProjected(
  server: RunningServer,
  threadId: string,
  check: () => Promise<boolean>,
  deadlineMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let checking = Promise.resolve();
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      off();
      if (error) reject(error);
      else resolve();
    };
    const recheck = () => {
      checking = checking.then(async () => {
        if (!settled && (await check())) finish();
      });
      checking.catch((err: unknown) => finish(err instanceof Error ? err : new Error(String(err))));
    };
    const timer = setTimeout(() => finish(new Error(`not projected within ${deadlineMs} ms`)), deadlineMs);
    const off = server.readModel.projector.onProjected((e) => {
      if (e.threadId === threadId) recheck();
    });
    recheck();
  });
}
