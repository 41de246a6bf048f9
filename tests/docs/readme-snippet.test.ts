/**
 * The README's Node snippet works as written: its code block is taken from README.md and run in a
 * fresh Node process (the official y-websocket client over `ws`) against a real server, with only
 * the URL, the token and the thread id supplied.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { it } from '../support/e2e.js';
import { createThread } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README_URL = 'ws://127.0.0.1:8787/sync';

/** The README's code block that uses `WebSocketPolyfill`. */
function nodeSnippet(): string {
  const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const snippet = blocks.find((b) => b.includes('WebSocketPolyfill'));
  if (!snippet) throw new Error('README.md has no js block with WebSocketPolyfill');
  return snippet;
}

function runModule(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Bare specifiers resolve from the repository root, like a script next to its node_modules.
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve({ code: exitCode, stdout, stderr }));
  });
}

it('runs the README’s Node snippet: it syncs the thread and exits', async ({ ts, owner: user }) => {
  const title = `From the README ${Date.now()}`;
  const threadId = await createThread(ts.url, user, user.workspaceId, title);
  const snippet = nodeSnippet();
  expect(snippet).toContain(README_URL);
  const code =
    `const token = ${JSON.stringify(user.accessToken)};\n` +
    `const threadId = ${JSON.stringify(threadId)};\n` +
    snippet.replace(README_URL, ts.wsUrl);
  const result = await runModule(code);
  expect(result).toEqual({ code: 0, stdout: `${title}\n`, stderr: '' });
});
