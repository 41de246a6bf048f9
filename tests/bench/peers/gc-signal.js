/**
 * Preloaded into every server under test (with --expose-gc): on SIGUSR2 it runs two full garbage
 * collections a moment apart (V8 keeps the heap it grew to after one, and gives back what it does
 * not need after the next, as it does by itself once idle for a while) and prints the process's
 * memory use as one JSON line. Memory is measured as what a server keeps, not as garbage or heap
 * it has yet to give back. The plain, forced `gc()`: `gc({ type: 'major' })` leaves objects that
 * only compiled code still refers to.
 */
const { process, setTimeout } = globalThis;
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc !== 'function') return;
  globalThis.gc();
  setTimeout(() => {
    globalThis.gc();
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.stdout.write(
      JSON.stringify({ bench: 'memory', rss, heapTotal, heapUsed, external, arrayBuffers }) + '\n',
    );
  }, 200);
});
