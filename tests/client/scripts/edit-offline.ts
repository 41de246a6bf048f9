/**
 * A headless script, as a user would write one: `edit` posts a message and appends to the body of
 * a thread and exits at once (the server may be down); `sync` starts from the same state dir,
 * prints what it has before it is online, waits for the server and exits once everything is
 * acknowledged. One JSON line per step on stdout.
 */
import { staticToken } from '@caucus/client';
import { createNodeClient } from '@caucus/client/node';
import type { UserId } from '@caucus/schema';

const [mode, url, token, stateDir, threadId, user] = process.argv.slice(2) as [
  'edit' | 'sync',
  string,
  string,
  string,
  string,
  string,
];
const client = createNodeClient({ url, auth: staticToken(token), stateDir, user: user as UserId });
const thread = client.thread(threadId);
await thread.whenLoaded;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

if (mode === 'edit') {
  await thread.post('written while the server was down');
  await thread.appendBody('offline notes');
  say({
    step: 'edited',
    unsynced: client.status.current.unsynced,
    connection: client.status.current.connection,
  });
  // Exits without close() or flush(): every update is already in the state dir.
  process.exit(0);
}

say({ step: 'loaded', messages: thread.messages().map((m) => m.text), body: thread.body() });
await new Promise<void>((resolve) => {
  const check = () => client.status.current.connection === 'online' && (off(), resolve());
  const off = client.status.subscribe(check);
  check();
});
await client.flush();
say({ step: 'synced', unsynced: client.status.current.unsynced });
await client.close();
