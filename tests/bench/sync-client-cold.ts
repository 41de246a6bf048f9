/**
 * One cold start of a Node client (run by sync-client.ts in a fresh process): load the modules,
 * then time createClient on the state dir to the first read of a thread. Offline on purpose: the
 * read must come from the state dir. Prints one JSON line.
 */
const t0 = performance.now();
const { staticToken } = await import('@caucus/client');
const { createNodeClient } = await import('@caucus/client/node');
const t1 = performance.now();
const [url, token, stateDir, threadId, user] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const client = createNodeClient({
  url,
  auth: staticToken(token),
  stateDir,
  offline: true,
  user: user as never,
});
const thread = client.thread(threadId);
await thread.whenLoaded;
const messages = thread.messages().length;
const t2 = performance.now();
await client.close();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstReadMs: t2 - t1, messages }));
