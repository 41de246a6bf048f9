/**
 * What operators alert on: HTTP requests by route and status, intent verdicts, uploads, the bytes
 * in the database and in upload storage (measured at scrape), and the build. Part of
 * `createMetrics` (metrics.ts); every series whose labels are known in advance starts at zero.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { INTENT_TYPES, VERDICT_STATUSES } from '@caucus/schema';
import type { Db } from './storage/db.js';
import { VERSION } from './version.js';

/** Seconds an HTTP answer can take, from a cached read to a large upload chunk. */
const HTTP_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What happens to uploads: admitted, checked and kept, refused (at creation or by type), expired. */
export const UPLOAD_OUTCOMES = ['started', 'finished', 'refused', 'expired'] as const;
export type UploadOutcome = (typeof UPLOAD_OUTCOMES)[number];

/** The `type` label of an intent too malformed to have one of {@link INTENT_TYPES}. */
export const INVALID_INTENT_TYPE = 'invalid';

/** Where the bytes are, measured at each scrape. */
export interface StorageSources {
  db: Db;
  /** Directories whose files count as upload storage (bytes, tus records, thumbnails). */
  uploadDirs: readonly string[];
}

export function operatorMetrics(registry: Registry) {
  let storage: StorageSources | null = null;
  const metrics = {
    httpRequests: new Counter({
      name: 'caucus_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern (never the raw path) and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'caucus_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (until the handler returned its response), by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_SECONDS_BUCKETS,
      registers: [registry],
    }),
    intentVerdicts: new Counter({
      name: 'caucus_intent_verdicts_total',
      help: `Intent verdicts, by intent type ("${INVALID_INTENT_TYPE}" for malformed ones) and status`,
      labelNames: ['type', 'status'] as const,
      registers: [registry],
    }),
    uploads: new Counter({
      name: 'caucus_uploads_total',
      help: 'Uploads by outcome: started (admitted), finished (checked and attached), refused (limits or type), expired',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    uploadBytes: new Counter({
      name: 'caucus_upload_bytes_total',
      help: 'Upload bytes received and written to storage',
      registers: [registry],
    }),
    databaseBytes: new Gauge({
      name: 'caucus_database_size_bytes',
      help: 'Size of the SQLite database (pages in use and free), measured at scrape',
      registers: [registry],
      collect() {
        if (!storage) return;
        const { page_count: pages, page_size: size } = storage.db.$client
          .prepare('SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()')
          .get() as { page_count: number; page_size: number };
        this.set(pages * size);
      },
    }),
    uploadStorageBytes: new Gauge({
      name: 'caucus_upload_storage_bytes',
      help: 'Bytes of upload storage on disk (files, unfinished uploads, thumbnails), measured at scrape',
      registers: [registry],
      async collect() {
        if (storage) this.set(await directoryBytes(storage.uploadDirs));
      },
    }),
    buildInfo: new Gauge({
      name: 'caucus_build_info',
      help: 'Always 1; the labels say which Caucus version runs on which Node',
      labelNames: ['version', 'node'] as const,
      registers: [registry],
    }),
    /** Where {@link databaseBytes} and {@link uploadStorageBytes} measure, once the server has them. */
    measureStorage(sources: StorageSources): void {
      storage = sources;
    },
  };
  metrics.buildInfo.set({ version: VERSION, node: process.versions.node }, 1);
  // Every series whose labels are known in advance exists from the start, at zero, so that
  // rate() and absent() work before the first event.
  for (const type of [...INTENT_TYPES, INVALID_INTENT_TYPE])
    for (const status of VERDICT_STATUSES) metrics.intentVerdicts.inc({ type, status }, 0);
  for (const outcome of UPLOAD_OUTCOMES) metrics.uploads.inc({ outcome }, 0);
  return metrics;
}

async function directoryBytes(dirs: readonly string[]): Promise<number> {
  let total = 0;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    const sizes = await Promise.all(
      names.map((name) =>
        stat(join(dir, name)).then(
          (s) => (s.isFile() ? s.size : 0),
          () => 0,
        ),
      ),
    );
    for (const size of sizes) total += size;
  }
  return total;
}
