// A 2.0.1 station's device events and monitors (issue #18): an operator sets a monitor
// (SetVariableMonitoring, one at a time) and reads the NotifyEvent stream, kept among the
// station's reports within their quota, searched by component and variable. The stations are
// ocpp-rpc clients in strict mode.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { adminApi } from '../helpers/admin.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('device events and monitors (2.0.1)', () => {
  let gw: TestGateway;
  const clients: any[] = [];
  const api = adminApi(() => `http://127.0.0.1:${gw.adminPort}`, () => gw.config.dataDir);
  before(async () => {
    gw = await startTestGateway({ stations: { configuration: { readOnConnect: false } } });
  });
  after(async () => {
    for (const c of clients) await c.close({ force: true });
    await gw.cleanup();
  });

  it('sets a monitor in the station\'s terms and shows its events newest first, by component or variable', async () => {
    const cs = await connectRpcClient(gw.url, 'EV-201', 'ocpp2.0.1');
    clients.push(cs);
    const asked: any[] = [];
    cs.handle('SetVariableMonitoring', ({ params }: any) => {
      asked.push(params);
      return { setMonitoringResult: params.setMonitoringData.map((m: any) => ({ status: 'Accepted', id: 7, type: m.type, severity: m.severity, component: m.component, variable: m.variable })) };
    });
    cs.handle(() => ({}));
    await cs.call('BootNotification', BOOT_201);
    const set = await api('POST', '/api/stations/EV-201/monitors', { component: 'EVSE', evseId: 1, variable: 'Power', type: 'UpperThreshold', value: 22000, severity: 4 });
    assert.deepEqual([set.status, set.body], [200, { status: 'Accepted', id: 7 }]);
    assert.deepEqual(asked[0].setMonitoringData, [{ value: 22000, type: 'UpperThreshold', severity: 4, transaction: false, component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } }]);
    assert.equal((await api('POST', '/api/stations/EV-201/monitors', { component: 'EVSE', variable: 'Power', type: 'Sometimes', value: 1 })).status, 400);

    const at = (m: number) => new Date(Date.parse('2026-12-06T10:00:00Z') + m * 60_000).toISOString();
    const event = (eventId: number, m: number, component: string, variable: string, actualValue: string) => ({
      eventId, timestamp: at(m), trigger: 'Alerting', actualValue, eventNotificationType: 'CustomMonitor', component: { name: component, evse: { id: 1 } }, variable: { name: variable }, variableMonitoringId: 7,
    });
    await cs.call('NotifyEvent', { generatedAt: at(1), seqNo: 0, eventData: [event(1, 1, 'EVSE', 'Power', '23000'), event(2, 1, 'Connector', 'Problem', 'true')] });
    await cs.call('NotifyEvent', { generatedAt: at(2), seqNo: 0, eventData: [event(3, 2, 'EVSE', 'Power', '24000')] });
    const all = (await api('GET', '/api/stations/EV-201/events')).body;
    assert.deepEqual(all.map((e: any) => e.eventId), [3, 2, 1], 'newest first');
    const power = (await api('GET', '/api/stations/EV-201/events?component=evse&variable=Power')).body;
    assert.deepEqual(power.map((e: any) => [e.eventId, e.actualValue, e.evseId, e.variableMonitoringId]), [[3, '24000', 1, 7], [1, '23000', 1, 7]]);
    assert.deepEqual((await api('GET', '/api/stations/EV-201/events?limit=1')).body.map((e: any) => e.eventId), [3]);
  });

  it('refuses a monitor for a 1.6 station, which has none, and for a station it does not know', async () => {
    const cp = await connectRpcClient(gw.url, 'EV-16', 'ocpp1.6');
    clients.push(cp);
    cp.handle(() => ({}));
    await cp.call('BootNotification', BOOT_16);
    const refused = await api('POST', '/api/stations/EV-16/monitors', { component: 'EVSE', variable: 'Power', type: 'Delta', value: 100 });
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, /variable monitoring is OCPP 2\.0\.1/);
    assert.equal((await api('GET', '/api/stations/NOBODY/events')).status, 404);
  });
});
