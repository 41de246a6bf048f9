/**
 * Real editing traces (josephg/editing-traces, CC BY 4.0) from `/work/shared/traces`, for tests and
 * benchmarks that want real typing instead of invented workloads. See that directory's README.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as Y from 'yjs';

/** `shared/traces` is a sibling of the repository root, not part of it. */
export const TRACES_DIR = new URL('../../../shared/traces/', import.meta.url);

/** `[position, deleteCount, insertText]`: delete at position, then insert there. */
export type TracePatch = readonly [position: number, deleteCount: number, insertText: string];

export interface SequentialTrace {
  startContent: string;
  endContent: string;
  txns: ReadonlyArray<{ time: string; patches: readonly TracePatch[] }>;
}

export interface ConcurrentTrace {
  kind: 'concurrent';
  numAgents: number;
  endContent: string;
  /** Positions are relative to the document as `agent` saw it after `parents` (txn indexes). */
  txns: ReadonlyArray<{
    parents: readonly number[];
    numChildren: number;
    agent: number;
    time?: string;
    patches: readonly TracePatch[];
  }>;
}

export type SequentialTraceName = 'sveltecomponent.json.gz' | 'seph-blog1.json.gz';
export type ConcurrentTraceName = 'clownschool.json.gz';

function readTrace(name: string): Record<string, unknown> {
  const file = new URL(name, TRACES_DIR);
  if (!fs.existsSync(file)) throw new Error(`editing trace not found: ${fileURLToPath(file)}`);
  return JSON.parse(gunzipSync(fs.readFileSync(file)).toString('utf8')) as Record<string, unknown>;
}

export function loadSequentialTrace(name: SequentialTraceName): SequentialTrace {
  const trace = readTrace(name);
  if (
    typeof trace.endContent !== 'string' ||
    typeof trace.startContent !== 'string' ||
    !Array.isArray(trace.txns)
  ) {
    throw new Error(`${name} is not a sequential trace`);
  }
  return trace as unknown as SequentialTrace;
}

export function loadConcurrentTrace(name: ConcurrentTraceName): ConcurrentTrace {
  const trace = readTrace(name);
  if (trace.kind !== 'concurrent' || typeof trace.endContent !== 'string' || !Array.isArray(trace.txns)) {
    throw new Error(`${name} is not a concurrent trace`);
  }
  return trace as unknown as ConcurrentTrace;
}

export interface ReplayOptions {
  /** Replay only the first `limit` transactions. */
  limit?: number;
  /** A fixed Yjs clientID, for runs that must produce identical bytes. */
  clientId?: number;
}

export interface Replay {
  doc: Y.Doc;
  /** Every update the document emitted, in order: one per trace transaction (plus startContent). */
  updates: Uint8Array[];
}

/**
 * Replays a sequential trace into the `Y.Text` named `body` of a fresh document, one Yjs
 * transaction per trace transaction. Patches of one transaction apply in order, each to the text
 * left by the one before. Positions are used as UTF-16 indexes, which is what the traces here
 * need: none of them contains a character outside the Basic Multilingual Plane.
 */
export function replayTrace(trace: SequentialTrace, { limit, clientId }: ReplayOptions = {}): Replay {
  const doc = new Y.Doc();
  if (clientId !== undefined) doc.clientID = clientId;
  const body = doc.getText('body');
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));

  if (trace.startContent !== '') body.insert(0, trace.startContent);
  for (const { patches } of trace.txns.slice(0, limit)) {
    doc.transact(() => {
      for (const [position, deleteCount, insertText] of patches) {
        if (deleteCount > 0) body.delete(position, deleteCount);
        if (insertText !== '') body.insert(position, insertText);
      }
    });
  }
  return { doc, updates };
}
