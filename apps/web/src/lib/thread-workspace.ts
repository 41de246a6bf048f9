/**
 * Which workspace a thread belongs to — a thread path carries only the thread's id. Remembered
 * when this client makes or lists a thread, asked from the server otherwise (then remembered, so
 * a reload offline still knows).
 */
import type { AppSession } from './session';

const key = (threadId: string) => `caucus:thread-ws:${threadId}`;

export function rememberThreadWorkspace(threadId: string, workspaceId: string): void {
  localStorage.setItem(key(threadId), workspaceId);
}

export async function threadWorkspace(session: AppSession, threadId: string): Promise<string | null> {
  const known = localStorage.getItem(key(threadId));
  if (known) return known;
  const res = await session.api.thread(threadId);
  if (!res.ok) return null;
  rememberThreadWorkspace(threadId, res.value.workspaceId);
  return res.value.workspaceId;
}
