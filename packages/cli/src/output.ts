/**
 * What commands print: results on stdout (text for people, or `--json`: one JSON value per line),
 * notes and progress on stderr, so `caucus … --json | jq` only ever sees results.
 */

export interface Output {
  readonly json: boolean;
  /** A result: `value` as JSON with `--json`, else `text()` as lines. */
  result(value: unknown, text: () => string | string[]): void;
  /** A note for people (stderr); never part of the result. */
  note(line: string): void;
}

export function output(json: boolean, streams = { out: process.stdout, err: process.stderr }): Output {
  return {
    json,
    result(value, text) {
      if (json) {
        streams.out.write(`${JSON.stringify(value)}\n`);
        return;
      }
      const lines = text();
      const all = Array.isArray(lines) ? lines : [lines];
      if (all.length) streams.out.write(`${all.join('\n')}\n`);
    },
    note(line) {
      streams.err.write(`${line}\n`);
    },
  };
}

/** Rows as aligned columns (the last column is not padded). */
export function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A time for people: ISO without milliseconds. */
export function when(ms: number | null | undefined): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}
