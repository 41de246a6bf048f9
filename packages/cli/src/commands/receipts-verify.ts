/**
 * `caucus receipts verify <file>`: checks an exported receipt set (`{ keys, receipts }` JSON)
 * offline. The trusted keys come from `--keys <file>` (a saved `GET /api/receipts/keys` answer),
 * from `--url <server>` (fetched once), or else from the set itself — which shows only that the set
 * is consistent, so it says so. Exit codes: 0 every receipt checks, 1 usage (unreadable file, not a
 * set, keys unavailable), 2 at least one receipt is tampered, foreign or malformed.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import {
  fetchReceiptKeys,
  parseReceiptKeys,
  ReceiptKeysError,
  verifyReceipts,
  type ReceiptCheck,
  type ReceiptsReport,
} from '@caucus/client/receipts';
import { receiptSetSchema, type ReceiptKey } from '@caucus/schema';

export const VERIFY_EXIT = { ok: 0, usage: 1, failed: 2 } as const;

export interface ReceiptsVerifyOptions {
  /** A file of trusted keys: `{ keys: [...] }` or an array. */
  keys?: string;
  /** A server whose `GET /api/receipts/keys` gives the trusted keys. */
  url?: string;
  json?: boolean;
}

export interface VerifyIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  fetch?: typeof globalThis.fetch;
}

/** A usage failure: printed as one `caucus: <code>: <message>` line, exit 1. */
class UsageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      'unreadable-file',
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('not-json', `${what} ${path} is not JSON`);
  }
}

type KeySource = 'keys-file' | 'url' | 'set';

async function trustedKeys(
  options: ReceiptsVerifyOptions,
  setKeys: unknown,
  io: VerifyIo,
): Promise<{ keys: ReceiptKey[]; source: KeySource }> {
  if (options.keys !== undefined && options.url !== undefined) {
    throw new UsageError('usage', 'give --keys or --url, not both');
  }
  try {
    if (options.keys !== undefined) {
      return { keys: parseReceiptKeys(await readJson(options.keys, 'key file')), source: 'keys-file' };
    }
    if (options.url !== undefined) {
      const fetched = await fetchReceiptKeys(options.url, io.fetch ? { fetch: io.fetch } : {});
      return { keys: fetched, source: 'url' };
    }
    return { keys: setKeys === undefined ? [] : parseReceiptKeys(setKeys), source: 'set' };
  } catch (err) {
    if (err instanceof ReceiptKeysError) throw new UsageError(err.code, err.message);
    throw err;
  }
}

function describe(check: ReceiptCheck, index: number): string {
  if (check.ok) {
    const { payload } = check.receipt;
    return `receipt ${index + 1} (intent ${payload.intentId ?? '-'}): ok, ${payload.type} ${payload.verdict.status}`;
  }
  return `receipt ${index + 1} (intent ${check.intentId ?? '?'}): ${check.reason}: ${check.message}`;
}

const SOURCE_TEXT: Record<KeySource, string> = {
  'keys-file': 'the keys file',
  url: 'the server’s published keys',
  set: 'the keys inside the file',
};

/** Runs the check and prints the outcome; resolves with the exit code. */
export async function runReceiptsVerify(
  file: string,
  options: ReceiptsVerifyOptions,
  io: VerifyIo,
): Promise<number> {
  let report: ReceiptsReport;
  let source: KeySource;
  try {
    const set = receiptSetSchema.safeParse(await readJson(file, 'receipt set'));
    if (!set.success)
      throw new UsageError(
        'not-a-receipt-set',
        `${file} is not a receipt set: expected { keys, receipts: [...] }`,
      );
    if (set.data.receipts.length === 0) throw new UsageError('no-receipts', `${file} holds no receipts`);
    const trusted = await trustedKeys(options, set.data.keys, io);
    source = trusted.source;
    report = verifyReceipts(set.data.receipts, trusted.keys);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`caucus: ${err.code}: ${err.message}`);
    return VERIFY_EXIT.usage;
  }
  if (options.json) {
    io.stdout(
      JSON.stringify({
        ok: report.ok,
        valid: report.valid,
        failed: report.failed,
        keySource: source,
        results: report.results.map((r, index) =>
          r.ok
            ? { index, ok: true, intentId: r.receipt.payload.intentId, kid: r.key.kid }
            : { index, ok: false, reason: r.reason, message: r.message, intentId: r.intentId },
        ),
      }),
    );
  } else {
    report.results.forEach((check, i) => (check.ok ? io.stdout : io.stderr)(describe(check, i)));
    const total = report.results.length;
    const summary = report.ok
      ? `${total} of ${total} receipts verified against ${SOURCE_TEXT[source]}`
      : `${report.failed} of ${total} receipts FAILED against ${SOURCE_TEXT[source]}`;
    (report.ok ? io.stdout : io.stderr)(summary);
  }
  if (source === 'set') {
    io.stderr(
      'note: the keys came from the file itself, which proves only that it is consistent; ' +
        'pass --keys or --url to check the receipts against keys you trust',
    );
  }
  return report.ok ? VERIFY_EXIT.ok : VERIFY_EXIT.failed;
}

/** The `verify` sub-command, for the `receipts` group. */
export function receiptsVerifyCommand(): Command {
  return new Command('verify')
    .description('check an exported receipt set offline; exits 2 when a receipt is tampered or foreign')
    .argument('<file>', 'a receipt set: { keys, receipts } JSON')
    .option('--keys <file>', 'the trusted public keys (a saved GET /api/receipts/keys answer)')
    .option('--url <server>', 'fetch the trusted public keys from this server')
    .option('--json', 'print the report as one JSON object')
    .action(async (file: string, options: ReceiptsVerifyOptions) => {
      process.exitCode = await runReceiptsVerify(file, options, {
        stdout: (line) => process.stdout.write(`${line}\n`),
        stderr: (line) => process.stderr.write(`${line}\n`),
      });
    });
}
