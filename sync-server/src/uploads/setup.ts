/**
 * Wires the upload parts together: bytes under `<dataDir>/uploads`, thumbnails under
 * `<dataDir>/thumbnails`, avatars under `<dataDir>/avatars`, the service, and the tus server in front of it.
 */
import { join } from 'node:path';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { UploadCounters } from '../metrics.js';
import type { Db } from '../storage/db.js';
import type { SyncHub } from '../sync/hub.js';
import { hubAttachments } from './attachments.js';
import { Avatars } from './avatars.js';
import { Thumbnails } from './thumbnails.js';
import { createTus, type CaucusTus } from './tus.js';
import { FileUploadBytes } from './upload-bytes.js';
import { UploadService } from './upload-service.js';
import { makePrivateDir } from '../storage/file-modes.js';

export interface Uploads {
  service: UploadService;
  avatars: Avatars;
  tus: CaucusTus;
}

/** Where upload bytes and thumbnails are kept (what `caucus_upload_storage_bytes` measures). */
export function uploadDirs(dataDir: string): { bytes: string; thumbnails: string } {
  return { bytes: join(dataDir, 'uploads'), thumbnails: join(dataDir, 'thumbnails') };
}

export function createUploads(deps: {
  db: Db;
  hub: Pick<SyncHub, 'transact'>;
  config: ServerConfig;
  logger: Logger;
  metrics?: UploadCounters;
}): Uploads {
  const { config, logger } = deps;
  const { bytes: dir, thumbnails } = uploadDirs(config.dataDir);
  makePrivateDir(dir);
  const counters = deps.metrics;
  const bytes = new FileUploadBytes(dir, config.uploadExpiryMs, (n) => counters?.uploadBytes.inc(n));
  const service = new UploadService({
    db: deps.db,
    bytes,
    attachments: hubAttachments(deps.hub),
    thumbnails: new Thumbnails(thumbnails),
    limits: {
      maxUploadBytes: config.maxUploadBytes,
      expiryMs: config.uploadExpiryMs,
      quotaBytes: config.uploadQuotaBytes,
      maxConcurrentUploads: config.maxConcurrentUploads,
    },
    logger,
    ...(counters ? { metrics: counters } : {}),
  });
  const avatars = new Avatars({
    db: deps.db,
    bytes,
    dir: join(config.dataDir, 'avatars'),
    expiryMs: config.uploadExpiryMs,
    logger,
  });
  const tus = createTus({ service, avatars, bytes, logger });
  return { service, avatars, tus };
}
