export { startServer, type RunningServer, type StartOptions } from './server.js';
export { loadConfig, ConfigError, DEFAULT_LIMITS, type ServerConfig, type Limits } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { DEFAULT_AUTH_THROTTLE, type AuthThrottleLimits } from './auth/throttle.js';
export { openDb, type Db } from './storage/db.js';
export { lockDataDir, DataDirLockedError, LOCK_FILE, type DataDirLock } from './storage/data-dir-lock.js';
export { SqliteDocStore } from './storage/sqlite-doc-store.js';
export type { DocStore, StoredDoc, AppendEntry, SnapshotEntry } from './storage/doc-store.js';
export { buildDoc, foldToSnapshot } from './storage/fold.js';
export { VERSION } from './version.js';
export {
  GovernanceService,
  type GovernanceOptions,
  type AccessChanged,
  type NotifyOptions,
} from './governance/governance-service.js';
export type { NewNotification } from './governance/notifier.js';
export type { InvitationSender } from './governance/invitation-sender.js';
export type { OutgoingInvitation } from './governance/invitations.js';
export { verifyAuditChain, auditHash, GENESIS_HASH, type AuditVerification } from './governance/audit.js';
export {
  rebuildProjection,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildReport,
} from './projection/rebuild.js';
export type { UploadService, UploadFinished, UploadLimits } from './uploads/upload-service.js';
export {
  rotateReceiptKey,
  receiptKeysDir,
  readKeyIndex,
  ReceiptKeyError,
  RECEIPT_KEYS_DIR,
  type Rotation,
} from './receipts/key-files.js';
export {
  FileReceiptKeyring,
  MemoryReceiptKeyring,
  type ReceiptKeyring,
  type SigningKey,
} from './receipts/keyring.js';
