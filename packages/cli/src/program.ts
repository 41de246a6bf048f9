/**
 * The `caucus` program: global options, and each command group from its own file. Heavy modules
 * (the server, for `serve` and `admin`) load only when their command runs, so everyday commands
 * start fast.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addAuthCommands } from './commands/auth.js';
import { addCheckpointCommands } from './commands/checkpoints.js';
import { addDecideCommands } from './commands/decide.js';
import { addInboxCommand } from './commands/inbox.js';
import { addMemberCommands } from './commands/members.js';
import { addPostCommands } from './commands/post.js';
import { addReceiptCommands } from './commands/receipts.js';
import { addServeCommand } from './commands/serve.js';
import { addSyncCommands } from './commands/sync.js';
import { addConversationCommand } from './commands/thread-members.js';
import { addThreadCommands } from './commands/threads.js';
import { addTokenCommands } from './commands/tokens.js';
import { addUploadCommand } from './commands/upload.js';
import { addWatchCommand } from './commands/watch.js';
import { addWorkspaceCommands } from './commands/workspaces.js';
import { Context, type GlobalOptions } from './context.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The options every client command takes (each command's own, so `caucus <command> … --json` works). */
const GLOBAL_OPTIONS: ReadonlyArray<readonly [flags: string, description: string]> = [
  [
    '--url <url>',
    'the server (env CAUCUS_URL; default: the one the state dir is signed in to, else http://127.0.0.1:8787)',
  ],
  ['--token <token>', 'an API token (env CAUCUS_TOKEN) instead of the signed-in session'],
  [
    '--state-dir <dir>',
    'where the session, outbox and documents are kept (env CAUCUS_STATE_DIR, default ~/.caucus)',
  ],
  ['--json', 'print results as JSON, one value per line'],
];

const GLOBAL_HELP = `
Every client command takes --url, --token, --state-dir and --json (see the command's --help).
Exit codes: 0 ok, 1 usage, 2 refused/rejected, 3 offline with work queued, 4 auth required,
5 server unreachable (nothing queued), 6 internal error.`;

/** Adds the global options to every leaf command that does not define its own (admin and serve keep theirs). */
function addGlobalOptions(command: Command): void {
  for (const sub of command.commands) {
    if (sub.name() === 'serve' || sub.name() === 'admin') continue;
    if (sub.commands.length > 0) {
      addGlobalOptions(sub);
      continue;
    }
    for (const [flags, description] of GLOBAL_OPTIONS) {
      const long = flags.split(' ')[0];
      if (!sub.options.some((o) => o.long === long)) sub.option(flags, description);
    }
  }
}

/** Made once per run, from the options of whichever command runs. */
export type ContextOf = (command: Command) => Context;

export async function buildProgram(
  argv: readonly string[] = process.argv,
): Promise<{ program: Command; contexts: Context[] }> {
  const contexts: Context[] = [];
  const contextOf: ContextOf = (command) => {
    const context = new Context(command.optsWithGlobals<GlobalOptions>());
    contexts.push(context);
    return context;
  };
  const program = new Command('caucus')
    .description('Caucus: local-first sync with governance — the server, and a client for people and scripts')
    .version(version())
    .addHelpText('after', GLOBAL_HELP)
    .showHelpAfterError('(caucus --help lists the commands)');
  addServeCommand(program);
  addAuthCommands(program, contextOf);
  addTokenCommands(program, contextOf);
  addWorkspaceCommands(program, contextOf);
  addMemberCommands(program, contextOf);
  addThreadCommands(program, contextOf);
  addConversationCommand(program, contextOf);
  addPostCommands(program, contextOf);
  addWatchCommand(program, contextOf);
  addDecideCommands(program, contextOf);
  addCheckpointCommands(program, contextOf);
  addInboxCommand(program, contextOf);
  addUploadCommand(program, contextOf);
  addSyncCommands(program, contextOf);
  addReceiptCommands(program, contextOf);
  addGlobalOptions(program);
  if (argv.slice(2).includes('admin')) {
    const { adminCommand } = await import('./commands/admin.js');
    program.addCommand(adminCommand({ contextOf, options: GLOBAL_OPTIONS }));
  } else {
    program
      .command('admin')
      .description('maintenance tasks on a data dir, the job queue (caucus admin --help)');
  }
  return { program, contexts };
}
