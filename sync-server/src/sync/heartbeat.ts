/**
 * Drops sockets whose peer is gone without a word (a half-open TCP connection: a laptop closed, a
 * NAT entry expired). Every `intervalMs` one sweep looks at every socket: one that received
 * nothing since the last sweep is pinged (a WebSocket ping, which every client answers by
 * itself); one that was pinged and still received nothing — not even the pong — is dropped. A
 * dead peer is therefore gone within three intervals, and a busy socket is never pinged.
 */
export interface Beating {
  /** Something arrived since the last sweep (set by the transport). */
  seen: boolean;
  /** A ping is unanswered. */
  pinged: boolean;
  ping(): void;
}

export class Heartbeat<L extends Beating> {
  private readonly links = new Set<L>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly intervalMs: number,
    private readonly onTimeout: (link: L) => void,
  ) {
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  get size(): number {
    return this.links.size;
  }

  add(link: L): void {
    this.links.add(link);
  }

  delete(link: L): void {
    this.links.delete(link);
  }

  /** One pass (the timer runs it; tests may call it). */
  sweep(): void {
    for (const link of this.links) {
      if (link.seen) {
        link.seen = false;
        link.pinged = false;
      } else if (link.pinged) {
        this.links.delete(link);
        this.onTimeout(link);
      } else {
        link.pinged = true;
        link.ping();
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
