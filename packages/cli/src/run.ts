/**
 * Runs the program and turns every outcome into an exit code: usage errors are commander's own
 * message (exit 1); anything thrown is one line `caucus: <code>: <message>` on stderr.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { describe, EXIT } from './exit-codes.js';

export async function run(argv: readonly string[] = process.argv): Promise<number> {
  const { program, contexts } = await buildProgram(argv);
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { line, exit } = describe(err);
    process.stderr.write(`caucus: ${line}\n`);
    return exit;
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  }
}
