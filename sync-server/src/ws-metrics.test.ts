import { describe, expect, it } from 'vitest';
import { UPGRADE_REFUSALS, createMetrics } from './metrics.js';

describe('WebSocket metrics', () => {
  it('are present at zero from the start, labels included', async () => {
    const text = await createMetrics().registry.metrics();
    for (const reason of UPGRADE_REFUSALS)
      expect(text).toContain(`caucus_ws_upgrades_refused_total{reason="${reason}"} 0`);
    for (const code of ['4403', '4404', '4409'])
      expect(text).toContain(`caucus_mux_subscriptions_refused_total{code="${code}"} 0`);
    for (const protocol of ['doc', 'mux'])
      expect(text).toContain(`caucus_ws_sockets{protocol="${protocol}"} 0`);
    expect(text).toContain('caucus_ws_messages_total{direction="in"} 0');
    expect(text).toContain('caucus_ws_bytes_total{direction="out"} 0');
    expect(text).toContain('caucus_ws_heartbeat_timeouts_total 0');
  });

  it('report the traffic the transport counts, on every scrape', async () => {
    const metrics = createMetrics();
    metrics.wsTraffic.messagesIn += 3;
    metrics.wsTraffic.bytesOut += 1200;
    let text = await metrics.registry.metrics();
    expect(text).toContain('caucus_ws_messages_total{direction="in"} 3');
    expect(text).toContain('caucus_ws_bytes_total{direction="out"} 1200');
    metrics.wsTraffic.messagesIn += 2;
    text = await metrics.registry.metrics();
    expect(text).toContain('caucus_ws_messages_total{direction="in"} 5');
  });
});
