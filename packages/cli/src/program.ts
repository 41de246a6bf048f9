import { Command, InvalidArgumentError } from 'commander';
import { VERSION } from '@caucus/sync-server';
import { adminCommand } from './commands/admin.js';
import { receiptsVerifyCommand } from './commands/receipts-verify.js';
import { serve } from './commands/serve.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('caucus')
    .description('Caucus: local-first sync with governance')
    .version(VERSION);
  program
    .command('serve')
    .description('run the server: API, sync, uploads and the web app in one process')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 8787)', port)
    .option('-H, --host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'where the database and files live (env CAUCUS_DATA_DIR, default ./data)')
    .action(serve);
  program.addCommand(adminCommand());
  program.addCommand(
    new Command('receipts').description('verdict receipts').addCommand(receiptsVerifyCommand()),
  );
  return program;
}
