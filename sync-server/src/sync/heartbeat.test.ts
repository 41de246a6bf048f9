import { afterEach, describe, expect, it } from 'vitest';
import { Heartbeat, type Beating } from './heartbeat.js';

class Link implements Beating {
  seen = false;
  pinged = false;
  pings = 0;
  ping() {
    this.pings++;
  }
}

let beat: Heartbeat<Link> | null = null;
afterEach(() => beat?.stop());

describe('Heartbeat', () => {
  it('pings a silent socket, drops it when it stays silent, and leaves a talking one alone', () => {
    const dropped: Link[] = [];
    beat = new Heartbeat<Link>(60_000, (link) => dropped.push(link));
    const silent = new Link();
    const talking = new Link();
    beat.add(silent);
    beat.add(talking);
    for (let sweep = 0; sweep < 5; sweep++) {
      talking.seen = true;
      beat.sweep();
      if (sweep === 0) expect(silent.pings).toBe(1);
      if (sweep === 0) expect(dropped).toEqual([]);
    }
    expect(dropped).toEqual([silent]);
    expect(talking.pings).toBe(0);
    expect(beat.size).toBe(1);
  });

  it('keeps a socket that answers the ping', () => {
    const dropped: Link[] = [];
    beat = new Heartbeat<Link>(60_000, (link) => dropped.push(link));
    const link = new Link();
    beat.add(link);
    for (let sweep = 0; sweep < 6; sweep++) {
      beat.sweep();
      // The pong arrives before the next sweep.
      if (link.pinged) link.seen = true;
    }
    expect(dropped).toEqual([]);
    expect(link.pings).toBe(3);
  });
});
