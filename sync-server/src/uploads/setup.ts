/**
 * Wires the upload parts together: bytes under `<dataDir>/uploads`, thumbnails under
 * `<dataDir>/thumbnails`, the service, and the tus server in front of it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import type { SyncHub } from '../sync/hub.js';
import { hubAttachments } from './attachments.js';
import { Thumbnails } from './thumbnails.js';
import { createTus, type CaucusTus } from './tus.js';
import { FileUploadBytes } from './upload-bytes.js';
import { UploadService } from './upload-service.js';

export interface Uploads {
  service: UploadService;
  tus: CaucusTus;
}

export function createUploads(deps: {
  db: Db;
  hub: Pick<SyncHub, 'transact'>;
  config: ServerConfig;
  logger: Logger;
}): Uploads {
  const { config, logger } = deps;
  const dir = join(config.dataDir, 'uploads');
  mkdirSync(dir, { recursive: true });
  const bytes = new FileUploadBytes(dir, config.uploadExpiryMs);
  const service = new UploadService({
    db: deps.db,
    bytes,
    attachments: hubAttachments(deps.hub),
    thumbnails: new Thumbnails(join(config.dataDir, 'thumbnails')),
    limits: {
      maxUploadBytes: config.maxUploadBytes,
      expiryMs: config.uploadExpiryMs,
      quotaBytes: config.uploadQuotaBytes,
      maxConcurrentUploads: config.maxConcurrentUploads,
    },
    logger,
  });
  const tus = createTus({ service, bytes, logger });
  return { service, tus };
}
