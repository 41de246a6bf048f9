/**
 * `caucus admin rebuild-projection`: makes the read model (projected threads, messages,
 * attachments and their full-text indexes) again from the update log, with a progress bar.
 * Safe next to a running server; the server republishes workspace catalogs at its next start.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { openDb, rebuildProjection, type RebuildProgress, type RebuildReport } from '@caucus/sync-server';
import { databasePath, jsonOption, type DataDirOptions, type JsonOption } from './data-dir.js';

export interface RebuildReadModelOptions extends DataDirOptions {
  onProgress?: (progress: RebuildProgress) => void;
}

/** Rebuilds the read model of a data dir (the task itself, for tests and scripts). */
export async function rebuildReadModel(options: RebuildReadModelOptions = {}): Promise<RebuildReport> {
  const db = openDb({ path: databasePath(options) });
  try {
    return await rebuildProjection(db, options.onProgress ? { onProgress: options.onProgress } : {});
  } finally {
    db.$client.close();
  }
}

async function run(options: DataDirOptions & JsonOption): Promise<void> {
  // On stderr, so that stdout carries only the result; drawn only on a terminal.
  const bar = new cliProgress.SingleBar(
    {
      format:
        'rebuilding the read model |{bar}| {value}/{total} threads | {percentage}% | eta {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let report: RebuildReport;
  try {
    report = await rebuildReadModel({
      ...options,
      onProgress: ({ done, total }) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
    });
  } finally {
    if (started) bar.stop();
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(
    `read model rebuilt: ${report.threads} threads in ${report.durationMs} ms ` +
      `(${report.corrected} corrected, ${report.removed} removed, ${report.skipped} newer on the running server)\n`,
  );
}

/** Adds `rebuild-projection` to the `admin` group. */
export function addRebuildProjection(
  admin: Command,
  dataDirOption: readonly [flags: string, description: string],
): void {
  admin
    .command('rebuild-projection')
    .description('rebuild the read model (search, thread lists, dashboard) from the update log')
    .option(...dataDirOption)
    .option(...jsonOption)
    .action((options: DataDirOptions & JsonOption) => run(options));
}
