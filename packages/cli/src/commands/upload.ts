/**
 * `caucus upload <file> --thread <id>`: a resumable upload (tus). A progress bar on a terminal,
 * progress lines otherwise; interrupted (Ctrl-C, a lost network, a killed process), the same
 * command resumes where the server's offset is, because the upload URL is remembered by the
 * file's fingerprint in the state dir.
 */
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { createUpload, UploadFailed, type UploadState } from '@caucus/client';
import { CliError, EXIT, exitFor } from '../exit-codes.js';
import type { ContextOf } from '../program.js';

/** Progress lines (no terminal) at most every this many percent. */
const PROGRESS_STEP_PERCENT = 10;

function mib(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number of MiB');
  return Math.round(n * 1024 * 1024);
}

export function addUploadCommand(program: Command, contextOf: ContextOf): void {
  program
    .command('upload <file>')
    .description('attach a file to a thread (resumable: run it again to continue)')
    .requiredOption('-t, --thread <id>', 'the thread to attach it to')
    .option('--name <name>', 'the file name others see (default: the file’s own)')
    .option('--type <mime>', 'the declared type (checked against the bytes)')
    .option('--chunk-mib <n>', 'MiB per request (default 16)', mib)
    .action(
      async (
        file: string,
        options: { thread: string; name?: string; type?: string; chunkMib?: number },
        command: Command,
      ) => {
        const ctx = contextOf(command);
        const auth = await ctx.auth();
        const upload = createUpload({
          url: await ctx.url(),
          token: () => auth.token(),
          threadId: options.thread,
          file: { path: file },
          stateDir: ctx.stateDir,
          ...(options.name ? { name: options.name } : {}),
          ...(options.type ? { type: options.type } : {}),
          ...(options.chunkMib ? { chunkSizeBytes: options.chunkMib } : {}),
        });
        const progress = showProgress(process.stderr.isTTY === true);
        const off = upload.subscribe((state) => progress.update(state));
        const interrupt = () => upload.pause();
        process.once('SIGINT', interrupt);
        try {
          const done = upload.start();
          const paused = new Promise<'paused'>((resolve) =>
            upload.subscribe((s) => {
              if (s.status === 'paused') resolve('paused');
            }),
          );
          const outcome = await Promise.race([done, paused]);
          progress.stop();
          if (outcome === 'paused') {
            ctx.out.note(`paused at ${upload.current.bytesAccepted} bytes; run the same command to resume`);
            process.exitCode = EXIT.queued;
            return;
          }
          const resumed = upload.current.pickedUp
            ? ` (resumed from ${upload.current.resumedFrom ?? 0} bytes)`
            : '';
          ctx.out.result(
            outcome,
            () =>
              `attached ${outcome.name} (${outcome.id}, ${outcome.size} bytes, ${outcome.type})${resumed}`,
          );
        } catch (err) {
          progress.stop();
          if (err instanceof UploadFailed) {
            const f = err.failure;
            throw new CliError(
              f.code,
              f.code === 'network' ? `${f.message}; run the same command to resume` : f.message,
              f.code === 'network' ? EXIT.queued : exitFor(f.code, f.status),
            );
          }
          throw err;
        } finally {
          off();
          process.off('SIGINT', interrupt);
        }
      },
    );
}

interface Progress {
  update(state: UploadState): void;
  stop(): void;
}

function showProgress(terminal: boolean): Progress {
  if (terminal) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'uploading |{bar}| {percentage}% | {value}/{total} bytes | eta {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(state) {
        if (state.bytesTotal === null) return;
        if (!started) {
          bar.start(state.bytesTotal, state.bytesSent);
          started = true;
        } else bar.update(state.bytesSent);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let shown = -1;
  return {
    update(state) {
      if (!state.bytesTotal) return;
      const percent = Math.floor((state.bytesAccepted / state.bytesTotal) * 100);
      const step = Math.floor(percent / PROGRESS_STEP_PERCENT) * PROGRESS_STEP_PERCENT;
      if (step <= shown) return;
      shown = step;
      process.stderr.write(`uploading: ${step}% (${state.bytesAccepted}/${state.bytesTotal} bytes)\n`);
    },
    stop() {},
  };
}
