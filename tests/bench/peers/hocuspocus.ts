/**
 * Hocuspocus with its defaults (in memory, no extensions), as its README starts it. Prints
 * `{"port":N}` once listening.
 */
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: true });
await server.listen();
process.stdout.write(JSON.stringify({ port: server.address.port }) + '\n');
