/**
 * What a server process costs, read from Linux's /proc: CPU seconds (user + system) and resident
 * memory. Every server under test runs as its own child process, so these are its figures alone.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** User and system (kernel) CPU seconds the process has used so far. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it are plain numbers.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * The server's memory once it has settled: a full garbage collection, then RSS samples every
 * `intervalMs` until it has not dropped for `quietMs` (V8 gives freed heap back to the system a
 * few seconds after a collection) or `maxMs` passes. Also what the server's JS keeps (heap in use
 * + external) right after that collection.
 */
export async function settledMemory(
  server: { pid: number; collectGarbage(): Promise<{ heapUsed: number; external: number }> },
  { intervalMs = 500, quietMs = 3_000, maxMs = 15_000 } = {},
): Promise<{ rss: number; retained: number }> {
  const started = performance.now();
  const { heapUsed, external } = await server.collectGarbage();
  let lowest = rssBytes(server.pid);
  let lowestAt = performance.now();
  while (performance.now() - lowestAt < quietMs && performance.now() - started < maxMs) {
    await sleep(intervalMs);
    const now = rssBytes(server.pid);
    if (now < lowest * 0.995) {
      lowest = now;
      lowestAt = performance.now();
    }
  }
  return { rss: rssBytes(server.pid), retained: heapUsed + external };
}

/** Memory settling in quick mode: shorter, and so a little less exact. */
export const QUICK_SETTLE = { quietMs: 1_000, maxMs: 4_000 };

/** The generator's own CPU seconds (every thread of this process). */
export function selfCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
