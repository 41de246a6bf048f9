/**
 * A TCP proxy for fault injection on uploads: it can cut every connection after it carried a
 * number of client→server bytes (a phone on a train), throttle the upload direction, and hold new
 * connections while it has no target (a server being restarted), forwarding them once it has one.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface TcpProxyOptions {
  target: ProxyTarget | null;
  /**
   * Client→server bytes after which a connection is cut: a number for every connection, or a
   * function of the connection's index (from 0) returning null for "never".
   */
  cutAfterBytes?: number | ((connection: number) => number | null);
  /**
   * Client→server bytes after which a connection goes silent: open, but nothing more is forwarded
   * either way (a dead mobile link that never says so). Same form as `cutAfterBytes`.
   */
  stallAfterBytes?: number | ((connection: number) => number | null);
  /** Client→server bytes per second over all connections; unlimited when omitted. */
  bytesPerSecond?: number;
}

export interface ProxyStats {
  connections: number;
  cuts: number;
  stalls: number;
  /** Client→server bytes received from clients (including bytes dropped at a cut). */
  bytesFromClients: number;
  /** Client→server bytes delivered to the target. */
  bytesToTarget: number;
}

export class TcpProxy extends EventEmitter<{ cut: [ProxyStats]; connection: [number] }> {
  readonly stats: ProxyStats = { connections: 0, cuts: 0, stalls: 0, bytesFromClients: 0, bytesToTarget: 0 };
  private target: ProxyTarget | null;
  private readonly held: net.Socket[] = [];
  private readonly sockets = new Set<net.Socket>();
  private throttleStart = 0;
  private throttled = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly options: TcpProxyOptions,
  ) {
    super();
    this.target = options.target;
  }

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const server = net.createServer({ pauseOnConnect: true });
    const proxy = new TcpProxy(server, options);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Points new connections at `target`; `null` holds them until a target is set. */
  setTarget(target: ProxyTarget | null): void {
    this.target = target;
    if (target) for (const socket of this.held.splice(0)) this.forward(socket, target);
  }

  /** Cuts every open connection now. */
  cutAll(): void {
    for (const socket of [...this.sockets]) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of [...this.sockets, ...this.held]) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.target) this.forward(client, this.target);
    else this.held.push(client);
  }

  private forward(client: net.Socket, target: ProxyTarget): void {
    const index = this.stats.connections++;
    this.emit('connection', index);
    const pick = (option: TcpProxyOptions['cutAfterBytes']) =>
      typeof option === 'function' ? option(index) : (option ?? null);
    const limit = pick(this.options.cutAfterBytes);
    const stallAt = pick(this.options.stallAfterBytes);
    let stalled = false;
    const upstream = net.connect(target.port, target.host);
    this.sockets.add(upstream);
    upstream.once('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => undefined);
    client.once('close', () => upstream.destroy());
    let carried = 0;
    let cut = false;

    client.on('data', (chunk: Buffer) => {
      if (cut || stalled) return;
      this.stats.bytesFromClients += chunk.length;
      let data = chunk;
      if (stallAt !== null && carried + data.length >= stallAt) {
        data = data.subarray(0, stallAt - carried);
        stalled = true;
        this.stats.stalls++;
        upstream.write(data);
        carried += data.length;
        this.stats.bytesToTarget += data.length;
        return;
      }
      if (limit !== null && carried + data.length >= limit) {
        data = data.subarray(0, limit - carried);
        cut = true;
      }
      carried += data.length;
      this.stats.bytesToTarget += data.length;
      if (cut) {
        // The target gets exactly `limit` bytes and then the end of the stream; the client just loses its connection.
        this.stats.cuts++;
        client.destroy();
        upstream.end(data);
        this.emit('cut', { ...this.stats });
        return;
      }
      if (!upstream.write(data)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
      this.throttle(client, data.length);
    });
    client.once('end', () => upstream.end());
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed && !stalled) client.write(chunk);
    });
    upstream.once('end', () => client.end());
    upstream.once('connect', () => client.resume());
  }

  private throttle(client: net.Socket, bytes: number): void {
    const rate = this.options.bytesPerSecond;
    if (!rate) return;
    const now = Date.now();
    if (this.throttleStart === 0 || now - this.throttleStart > 1000 + (this.throttled / rate) * 1000) {
      this.throttleStart = now;
      this.throttled = 0;
    }
    this.throttled += bytes;
    const due = this.throttleStart + (this.throttled / rate) * 1000;
    if (due > now) {
      client.pause();
      setTimeout(() => {
        if (!client.destroyed) client.resume();
      }, due - now);
    }
  }
}
