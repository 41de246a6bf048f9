/**
 * The concurrent clownschool trace (josephg/editing-traces, CC BY 4.0) turned into what its
 * writers send: each transaction replayed on its agent's own Y.Doc after the transactions it saw
 * (its parents), giving the exact Yjs update that agent's editor would have sent, and a send time
 * from the recorded timestamps.
 */
import * as Y from 'yjs';
import { loadConcurrentTrace } from '../support/traces.js';
import { TEXT_ROOT } from './wire.js';

export interface TypingStep {
  /** Index of the transaction in the trace. */
  index: number;
  agent: number;
  /** When to send it, from the start of the replay. */
  atMs: number;
  update: Uint8Array;
  /** The agent's clock after this transaction; 0 for a delete-only transaction (no new structs). */
  endClock: number;
}

export interface TypingTrace {
  steps: TypingStep[];
  /** Yjs clientID of each agent. */
  clients: number[];
  /** Whether merging every agent's document gives the trace's endContent. */
  converges: boolean;
}

/**
 * Replays the whole trace. Timestamps have one-second resolution: the transactions of one second
 * are spread evenly over it, a transaction is never scheduled before one it depends on, and
 * pauses longer than `maxPauseSeconds` are shortened to it (the trace spans 53 minutes).
 */
export function prepareTypingTrace(maxPauseSeconds = 2): TypingTrace {
  const trace = loadConcurrentTrace('clownschool.json.gz');
  const txns = trace.txns;
  const n = txns.length;
  const clients = Array.from({ length: trace.numAgents }, () => 1 + Math.floor(Math.random() * 0x7ffffffe));
  const docs = clients.map((client) => {
    const doc = new Y.Doc();
    doc.clientID = client;
    return doc;
  });
  const seen = docs.map(() => new Uint8Array(n));
  const updates: Uint8Array[] = new Array<Uint8Array>(n);
  const endClocks = new Float64Array(n);
  const empty = Y.encodeStateAsUpdate(new Y.Doc());

  for (let i = 0; i < n; i++) {
    const txn = txns[i] as (typeof txns)[number];
    const a = txn.agent;
    const doc = docs[a] as Y.Doc;
    const known = seen[a] as Uint8Array;
    const missing: number[] = [];
    const stack = [...txn.parents];
    while (stack.length > 0) {
      const j = stack.pop() as number;
      if (known[j]) continue;
      known[j] = 1;
      missing.push(j);
      stack.push(...(txns[j] as (typeof txns)[number]).parents);
    }
    missing.sort((x, y) => x - y);
    for (const j of missing) Y.applyUpdate(doc, updates[j] as Uint8Array);
    const text = doc.getText(TEXT_ROOT);
    const before = Y.getState(doc.store, doc.clientID);
    let update: Uint8Array | null = null;
    const capture = (u: Uint8Array) => {
      update = u;
    };
    doc.on('update', capture);
    doc.transact(() => {
      for (const [position, deleteCount, insertText] of txn.patches) {
        if (deleteCount > 0) text.delete(position, deleteCount);
        if (insertText !== '') text.insert(position, insertText);
      }
    });
    doc.off('update', capture);
    known[i] = 1;
    updates[i] = update ?? empty;
    const after = Y.getState(doc.store, doc.clientID);
    endClocks[i] = after > before ? after : 0;
  }

  const merged = new Y.Doc();
  for (const doc of docs) Y.applyUpdate(merged, Y.encodeStateAsUpdate(doc));
  const converges = merged.getText(TEXT_ROOT).toJSON() === trace.endContent;

  // Schedule: causal order first, then compressed pauses, then spread within each second.
  const raw = txns.map((t) => (t.time ? Date.parse(t.time) / 1000 : 0));
  const start = Math.min(...raw);
  const effective = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = (raw[i] as number) - start;
    for (const p of (txns[i] as (typeof txns)[number]).parents) t = Math.max(t, effective[p] as number);
    effective[i] = t;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => (effective[x] as number) - (effective[y] as number) || x - y,
  );
  const compressed = new Float64Array(n);
  let clock = 0;
  let previous = 0;
  for (const i of order) {
    const t = effective[i] as number;
    clock += Math.min(t - previous, maxPauseSeconds);
    previous = t;
    compressed[i] = clock;
  }
  const steps: TypingStep[] = [];
  for (let k = 0; k < order.length;) {
    let end = k;
    while (end < order.length && compressed[order[end] as number] === compressed[order[k] as number]) end++;
    const group = end - k;
    for (let g = 0; g < group; g++) {
      const i = order[k + g] as number;
      steps.push({
        index: i,
        agent: (txns[i] as (typeof txns)[number]).agent,
        atMs: ((compressed[i] as number) + g / group) * 1000,
        update: updates[i] as Uint8Array,
        endClock: endClocks[i] as number,
      });
    }
    k = end;
  }
  for (const doc of docs) doc.destroy();
  merged.destroy();
  return { steps, clients, converges };
}

export interface TypingWindow {
  /** The document as it stood before the window: what the server holds when the replay starts. */
  seedState: Uint8Array;
  /** The window's transactions, `atMs` counted from the window's start. */
  steps: TypingStep[];
  /** Transactions per agent in the window. */
  perAgent: number[];
}

/**
 * The `seconds`-long stretch where the two people type at the same time the most (the one with
 * the most transactions from its second-busiest agent), with the state before it.
 */
export function busiestWindow(trace: TypingTrace, seconds: number): TypingWindow {
  const steps = trace.steps;
  const span = seconds * 1000;
  let best = { from: 0, score: -1 };
  let end = 0;
  const counts = new Float64Array(trace.clients.length);
  for (let from = 0; from < steps.length; from++) {
    while (end < steps.length && (steps[end] as TypingStep).atMs < (steps[from] as TypingStep).atMs + span) {
      const agent = (steps[end] as TypingStep).agent;
      counts[agent] = (counts[agent] ?? 0) + 1;
      end++;
    }
    const second = [...counts].sort((a, b) => b - a)[1] ?? 0;
    if (second > best.score) best = { from, score: second };
    const leaving = (steps[from] as TypingStep).agent;
    counts[leaving] = (counts[leaving] ?? 0) - 1;
  }
  const seed = new Y.Doc();
  seed.transact(() => {
    for (let i = 0; i < best.from; i++) Y.applyUpdate(seed, (steps[i] as TypingStep).update);
  });
  const seedState = Y.encodeStateAsUpdate(seed);
  seed.destroy();
  const start = (steps[best.from] as TypingStep).atMs;
  const window = steps
    .slice(best.from)
    .filter((s) => s.atMs < start + span)
    .map((s) => ({ ...s, atMs: s.atMs - start }));
  const perAgent = trace.clients.map((_, a) => window.filter((s) => s.agent === a).length);
  return { seedState, steps: window, perAgent };
}
