/**
 * The sync transport's metrics: open sockets by protocol, message and byte traffic (plain numbers
 * bumped on the hot path, read on scrape), refused upgrades, heartbeat timeouts and the
 * multiplexed protocol's subscriptions (sync/ws-*.ts, sync/mux-*.ts). Part of `createMetrics` (metrics.ts).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * WebSocket traffic as plain numbers the transport bumps on its hot path (a broadcast to ten
 * thousand sockets must not pay for ten thousand label lookups); the counters read them on scrape.
 */
export interface WsTraffic {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Why an upgrade was refused (`caucus_ws_upgrades_refused_total{reason}`). */
export const UPGRADE_REFUSALS = [
  'not-found',
  'bad-request',
  'origin',
  'unauthorized',
  'forbidden',
  'too-many-connections',
  'internal',
] as const;
export type UpgradeRefusal = (typeof UPGRADE_REFUSALS)[number];

/** Codes a multiplexed subscription is refused or ended with (`closed`), for the refusal counter. */
const MUX_REFUSAL_CODES = ['4403', '4404', '4409'] as const;

/** Sockets, traffic, upgrades, heartbeat and the multiplexed protocol (sync/ws-*.ts, sync/mux-*.ts). */
export function webSocketMetrics(registry: Registry) {
  const traffic: WsTraffic = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  const counted = (name: string, help: string, read: (t: WsTraffic) => [number, number]) =>
    new Counter({
      name,
      help,
      labelNames: ['direction'] as const,
      registers: [registry],
      collect() {
        const [received, sent] = read(traffic);
        this.reset();
        this.inc({ direction: 'in' }, received);
        this.inc({ direction: 'out' }, sent);
      },
    });
  const upgradesRefused = new Counter({
    name: 'caucus_ws_upgrades_refused_total',
    help: 'Sync upgrades refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of UPGRADE_REFUSALS) upgradesRefused.inc({ reason }, 0);
  const sockets = new Gauge({
    name: 'caucus_ws_sockets',
    help: 'Open sync WebSockets, by protocol (doc: one document each; mux: caucus.mux.v1)',
    labelNames: ['protocol'] as const,
    registers: [registry],
  });
  for (const protocol of ['doc', 'mux']) sockets.set({ protocol }, 0);
  const muxRefused = new Counter({
    name: 'caucus_mux_subscriptions_refused_total',
    help: 'Multiplexed subscriptions refused, by code (4403 no access, 4404 not a document, 4409 too many)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  for (const code of MUX_REFUSAL_CODES) muxRefused.inc({ code }, 0);
  return {
    wsTraffic: traffic,
    wsMessages: counted('caucus_ws_messages_total', 'WebSocket messages, by direction', (t) => [
      t.messagesIn,
      t.messagesOut,
    ]),
    wsBytes: counted('caucus_ws_bytes_total', 'WebSocket payload bytes, by direction', (t) => [
      t.bytesIn,
      t.bytesOut,
    ]),
    wsUpgradesRefused: upgradesRefused,
    wsSockets: sockets,
    wsHeartbeatTimeouts: new Counter({
      name: 'caucus_ws_heartbeat_timeouts_total',
      help: 'Sync sockets dropped because they stopped answering pings',
      registers: [registry],
    }),
    muxSubscriptions: new Gauge({
      name: 'caucus_mux_subscriptions',
      help: 'Documents open on multiplexed sockets',
      registers: [registry],
    }),
    muxSubscriptionsRefused: muxRefused,
  };
}
