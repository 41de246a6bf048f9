/**
 * `caucus admin rotate-receipt-key`: a new Ed25519 key signs verdict receipts from now on; the old
 * public key stays published (old receipts stay verifiable) and its private key file is deleted.
 * Safe next to a running server, which picks the new key up at its next signature.
 */
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { rotateReceiptKey, type Rotation } from '@caucus/sync-server';
import { databasePath, type DataDirOptions } from './data-dir.js';

/** Rotates the receipt key of a data dir (the task itself, for tests and scripts). */
export function rotateReceiptKeyOf(options: DataDirOptions = {}): Rotation {
  // Only a real data dir: a typo must not grow a new key folder somewhere else.
  return rotateReceiptKey(dirname(databasePath(options)));
}

function run(options: DataDirOptions & { json?: boolean }): void {
  const rotation = rotateReceiptKeyOf(options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rotation)}\n`);
    return;
  }
  const retired = rotation.retired.map((k) => k.kid).join(', ') || 'none';
  process.stdout.write(
    `receipt key rotated: ${rotation.active.kid} signs from now on; retired ${retired} ` +
      `(its public key stays published at /api/receipts/keys)\n`,
  );
}

/** Adds `rotate-receipt-key` to the `admin` group. */
export function addRotateReceiptKey(
  admin: Command,
  dataDirOption: readonly [flags: string, description: string],
): void {
  admin
    .command('rotate-receipt-key')
    .description('make a new receipt signing key; old receipts stay verifiable')
    .option(...dataDirOption)
    .option('--json', 'print the rotation as JSON')
    .action((options: DataDirOptions & { json?: boolean }) => run(options));
}
