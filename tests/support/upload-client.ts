/**
 * A headless upload script over @caucus/client, run as its own process by tests that kill it
 * mid-upload: `node --conditions=caucus-source --import tsx tests/support/upload-client.ts`.
 *
 * Reads CAUCUS_URL, CAUCUS_TOKEN, THREAD_ID, UPLOAD_FILE, STATE_DIR and optionally CHUNK_BYTES
 * from the environment, and prints one JSON line per state change (`{"event":"state",…}`), then
 * `{"event":"done","file":…}` or `{"event":"error","error":…}`.
 */
import { createUpload } from '@caucus/client';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const upload = createUpload({
  url: env('CAUCUS_URL'),
  token: env('CAUCUS_TOKEN'),
  threadId: env('THREAD_ID'),
  file: { path: env('UPLOAD_FILE') },
  stateDir: env('STATE_DIR'),
  chunkSizeBytes: Number(process.env.CHUNK_BYTES ?? 1024 * 1024),
  retryDelaysMs: [0, 100, 200, 400, 800],
});

let last = '';
upload.subscribe((state) => {
  const line = JSON.stringify({
    event: 'state',
    status: state.status,
    bytesAccepted: state.bytesAccepted,
    resumedFrom: state.resumedFrom,
    pickedUp: state.pickedUp,
    uploadUrl: state.uploadUrl,
  });
  if (line !== last) process.stdout.write(`${line}\n`);
  last = line;
});

upload.start().then(
  (file) => {
    process.stdout.write(`${JSON.stringify({ event: 'done', file })}\n`);
  },
  (err: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ event: 'error', error: upload.current.error ?? String(err) })}\n`,
    );
    process.exitCode = 1;
  },
);
