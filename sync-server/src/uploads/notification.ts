/**
 * The inbox notification thread members get when a file is attached to their thread.
 */
import type { FileInfo } from '@caucus/schema';
import type { AuthService } from '../auth/auth-service.js';
import type { NewNotification } from '../governance/notifier.js';

export function uploadNotification(file: FileInfo, auth: Pick<AuthService, 'getUser'>): NewNotification {
  let who = 'Someone';
  try {
    who = auth.getUser(file.uploadedBy).name;
  } catch {
    // A user deleted meanwhile still leaves the file worth mentioning.
  }
  return {
    kind: 'info',
    title: `New file: ${file.name}`,
    body: `${who} attached ${file.name} (${formatBytes(file.size)}).`,
    link: `/threads/${file.threadId}`,
    dedupeKey: `upload:${file.id}`,
  };
}

/** `1.5 MB`-style sizes (powers of 1024, as file managers show them). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
