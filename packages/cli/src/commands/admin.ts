/**
 * `caucus admin …`: maintenance on a data dir, run next to (or instead of) the server. Each task is
 * a function (so tests and scripts call it directly) and a subcommand registered in
 * {@link adminCommand}.
 */
import { Command } from 'commander';
import { openDb, verifyAuditChain, type AuditVerification } from '@caucus/sync-server';
import type { ContextOf } from '../program.js';
import { addAdminJobs } from './admin-jobs.js';
import { addAdminNotices } from './admin-notices.js';
import { addRebuildProjection } from './rebuild-projection.js';
import { addRotateReceiptKey } from './rotate-receipt-key.js';
import { databasePath, dataDirOption, jsonOption, type DataDirOptions, type JsonOption } from './data-dir.js';

/** Checks the audit log's hash chain from the first event to the last. */
export function verifyAudit(options: DataDirOptions = {}): AuditVerification {
  const db = openDb({ path: databasePath(options) });
  try {
    return verifyAuditChain(db);
  } finally {
    db.$client.close();
  }
}

/** What `verify-audit` prints (the report itself with `--json`); exits 1 when the chain is broken. */
function runVerifyAudit(options: DataDirOptions & JsonOption): void {
  const report = verifyAudit(options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (!report.ok) process.exitCode = 1;
    return;
  }
  if (report.ok) {
    process.stdout.write(`audit log ok: ${report.events} events, hash chain intact\n`);
    return;
  }
  process.stderr.write(
    `audit log BROKEN at event #${report.brokenAt.seq}: ${report.brokenAt.reason} ` +
      `(${report.events} events before it are intact)\n`,
  );
  process.exitCode = 1;
}

/** The client options of `admin jobs` (it asks the server), as the program's other commands take them. */
export type ClientOptions = ReadonlyArray<readonly [flags: string, description: string]>;

/**
 * The `admin` command group; add maintenance tasks here as subcommands. `admin jobs` and the
 * notices ask the running server, so they are there only when the program hands over how it
 * makes a client context.
 */
export function adminCommand(client?: { contextOf: ContextOf; options: ClientOptions }): Command {
  const admin = new Command('admin').description(
    'maintenance tasks on a data dir, the server’s job queue and system notices',
  );
  admin
    .command('verify-audit')
    .description('check the audit log hash chain; prints the first broken event and exits 1')
    .option(...dataDirOption)
    .option(...jsonOption)
    .action((options: DataDirOptions & JsonOption) => runVerifyAudit(options));
  addRebuildProjection(admin, dataDirOption);
  addRotateReceiptKey(admin, dataDirOption);
  if (client) {
    addAdminJobs(admin, client.contextOf, client.options);
    addAdminNotices(admin, client.contextOf, client.options);
  }
  return admin;
}
