// The operator's HTTP side: Prometheus metrics that reflect real traffic, health and readiness.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const metricValue = (text: string, line: RegExp): number => {
  const m = text.split('\n').find((l) => line.test(l));
  return m ? Number(m.split(' ').at(-1)) : NaN;
};

describe('admin HTTP: /metrics, /healthz, /readyz', () => {
  let gw: TestGateway;
  let base: string;
  before(async () => {
    gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true } });
    base = `http://127.0.0.1:${gw.adminPort}`;
  });
  after(() => gw.cleanup());

  it('counts stations, messages, errors and call latency', async () => {
    const cp = await connectRpcClient(gw.url, 'M16', 'ocpp1.6');
    const cs = await connectRpcClient(gw.url, 'M201', 'ocpp2.0.1');
    await cp.call('BootNotification', BOOT_16);
    await cs.call('BootNotification', BOOT_201);
    await cp.call('Heartbeat', {});
    await cp.call('Heartbeat', {});
    await assert.rejects(cp.call('Reset', { type: 'Soft' }));
    cp.handle('GetConfiguration', async () => ({ configurationKey: [] }));
    await gw.ocpp.connection('M16')!.call('GetConfiguration', {});
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.equal(metricValue(text, /^cgw_stations_connected\{version="ocpp1.6"\}/), 1);
    assert.equal(metricValue(text, /^cgw_stations_connected\{version="ocpp2.0.1"\}/), 1);
    assert.equal(metricValue(text, /^cgw_ocpp_messages_total\{version="ocpp1.6",action="Heartbeat",outcome="result"\}/), 2);
    assert.equal(metricValue(text, /^cgw_ocpp_errors_total\{version="ocpp1.6",action="Reset",code="NotSupported"\}/), 1);
    assert.equal(metricValue(text, /^cgw_ocpp_call_duration_seconds_count\{version="ocpp1.6",action="GetConfiguration",outcome="result"\}/), 1);
    assert.ok(Number.isInteger(metricValue(text, /^cgw_outbox_backlog /)), 'the outbox backlog is exported');
    // No chain is configured here: nothing to settle, nothing connected.
    assert.equal(metricValue(text, /^cgw_settlement_backlog /), 0);
    assert.equal(metricValue(text, /^cgw_chain_connected /), 0);
    assert.match(text, /^cgw_p2p_peers /m);
    await cp.close();
    await cs.close();
  });

  it('answers health and readiness, and 404 for anything else', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, reasons: [] });
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });
});
