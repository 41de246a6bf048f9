#!/usr/bin/env node
/* global process, URL */
/**
 * The `caucus` command as npm links it. It exists before any build (a fresh clone right after
 * `npm install` has no dist/), so it runs the built CLI when that is there and current, and
 * otherwise the TypeScript sources through tsx — in a child process, because the workspace
 * packages resolve to their sources only under the `caucus-source` export condition, which is a
 * process-wide Node flag.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(cli, '..', '..');
const built = join(cli, 'dist', 'bin.js');
/** Sources the built CLI is made from; a build older than any of them is stale. */
const sources = ['packages/cli/src', 'packages/client/src', 'schema/src', 'sync-server/src'];

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return sources.every((dir) => !existsSync(join(root, dir)) || newestMtimeMs(join(root, dir)) <= builtAt);
}

if (buildIsCurrent()) {
  await import(new URL(`file://${built}`).href);
} else {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write('caucus: not built and tsx is missing: run `npm install` (or `npm run build`)\n');
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    ['--conditions=caucus-source', '--import', tsx, join(cli, 'src', 'bin.ts'), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
