/**
 * tus-js-client's URL storage contract: where the upload URL of a file is remembered (by the
 * file's fingerprint) so an upload can resume after a page reload or a process restart.
 */

/** One remembered upload, as tus-js-client stores and reads it. */
export interface StoredUpload {
  size: number | null;
  metadata: Record<string, string>;
  creationTime: string;
  uploadUrl?: string | null;
  parallelUploadUrls?: string[] | null;
}

export interface PreviousUpload extends StoredUpload {
  urlStorageKey: string;
}

export interface UrlStorage {
  findAllUploads(): Promise<PreviousUpload[]>;
  findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]>;
  removeUpload(urlStorageKey: string): Promise<void>;
  addUpload(fingerprint: string, upload: StoredUpload): Promise<string>;
}

/** Keys look like tus's own (`tus::<fingerprint>::<n>`), so stores stay interchangeable. */
export function storageKey(fingerprint: string): string {
  return `tus::${fingerprint}::${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Entries of `data` whose key starts with `prefix`, newest first. */
export function entriesWithPrefix(data: Record<string, StoredUpload>, prefix: string): PreviousUpload[] {
  return Object.entries(data)
    .filter(([key]) => key.startsWith(prefix))
    .map(([urlStorageKey, upload]) => ({ ...upload, urlStorageKey }))
    .sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime));
}
