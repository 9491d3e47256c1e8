// A station's configuration (issue #18): read when it connects (1.6 GetConfiguration, 2.0.1
// GetBaseReport assembled from its NotifyReport parts), changed in its version with the
// station's status (RebootRequired shown), kept as snapshots to search and compare. The
// stations are ocpp-rpc clients in strict mode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

type Setting = { component: string; value: string; readonly?: boolean; reboot?: boolean };
const SETTINGS = (): Map<string, Setting> => new Map([
  ['HeartbeatInterval', { component: 'OCPPCommCtrlr', value: '300' }],
  ['WebSocketPingInterval', { component: 'OCPPCommCtrlr', value: '30', reboot: true }],
  ['NumberOfConnectors', { component: 'ChargingStation', value: '2', readonly: true }],
]);

function change(settings: Map<string, Setting>, name: string, value: string): string {
  const s = settings.get(name);
  if (!s) return 'NotSupported';
  if (s.readonly) return 'Rejected';
  s.value = value;
  return s.reboot ? 'RebootRequired' : 'Accepted';
}

async function station16(url: string, identity: string) {
  const client = await connectRpcClient(url, identity, 'ocpp1.6');
  const settings = SETTINGS();
  client.handle('GetLocalListVersion', () => ({ listVersion: 0 }));
  client.handle('GetConfiguration', ({ params }: any) => {
    const asked: string[] = params.key ?? [...settings.keys()];
    return {
      configurationKey: asked.filter((k) => settings.has(k)).map((key) => ({ key, readonly: settings.get(key)!.readonly ?? false, value: settings.get(key)!.value })),
      ...(asked.some((k) => !settings.has(k)) ? { unknownKey: asked.filter((k) => !settings.has(k)) } : {}),
    };
  });
  client.handle('ChangeConfiguration', ({ params }: any) => ({ status: change(settings, params.key, params.value) }));
  await client.call('BootNotification', BOOT_16);
  return { client, settings };
}

/** `finish: false` leaves the report unfinished (its last part never comes). */
async function station201(url: string, identity: string, opts: { finish: boolean } = { finish: true }) {
  const client = await connectRpcClient(url, identity, 'ocpp2.0.1');
  const settings = SETTINGS();
  const requested: number[] = [];
  client.handle('GetLocalListVersion', () => ({ versionNumber: 0 }));
  client.handle('GetBaseReport', ({ params }: any) => {
    requested.push(params.requestId);
    const items = [...settings].map(([name, s]) => ({
      component: { name: s.component, ...(name === 'NumberOfConnectors' ? { evse: { id: 1 } } : {}) }, variable: { name },
      variableAttribute: [{ type: 'Actual', value: s.value, mutability: s.readonly ? 'ReadOnly' : 'ReadWrite' }],
      variableCharacteristics: { unit: 's', dataType: 'integer', supportsMonitoring: false },
    }));
    // The report follows the answer, in two parts.
    setImmediate(() => {
      void (async () => {
        await client.call('NotifyReport', { requestId: params.requestId, generatedAt: new Date().toISOString(), seqNo: 0, tbc: true, reportData: items.slice(0, 2) });
        if (opts.finish) await client.call('NotifyReport', { requestId: params.requestId, generatedAt: new Date().toISOString(), seqNo: 1, reportData: items.slice(2) });
      })();
    });
    return { status: 'Accepted' };
  });
  client.handle('SetVariables', ({ params }: any) => ({
    setVariableResult: params.setVariableData.map((d: any) => ({
      attributeStatus: settings.get(d.variable.name)?.component === d.component.name ? change(settings, d.variable.name, d.attributeValue) : 'UnknownComponent',
      component: d.component, variable: d.variable,
    })),
  }));
  await client.call('BootNotification', BOOT_201);
  return { client, settings, requested };
}

describe('station configuration: read on connect, changed, kept as snapshots', () => {
  let gw: TestGateway;
  let cp16: Awaited<ReturnType<typeof station16>>;
  let cp201: Awaited<ReturnType<typeof station201>>;
  let base: string;
  let token: string;
  const api = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    return { status: r.status, body: (await r.json()) as any };
  };
  const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });
  const value = (snapshot: any, name: string) => snapshot.variables.find((v: any) => v.name === name)?.value;

  before(async () => {
    gw = await startTestGateway({ stations: { configuration: { keep: 3, reportTimeoutSec: 2 } } });
    base = `http://127.0.0.1:${gw.adminPort}`;
    token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    cp16 = await station16(gw.url, 'CFG-16');
    cp201 = await station201(gw.url, 'CFG-201');
  });
  after(async () => {
    await cp16.client.close();
    await cp201.client.close();
    await gw.cleanup();
  });

  it('reads each station\'s configuration once it is accepted, in its own version', async () => {
    const read = (identity: string) => eventually(async () => {
      const r = await api(`/api/stations/${identity}/configuration`);
      return r.status === 200 ? r.body : undefined;
    }, 10_000, `the configuration of ${identity} was not read`);
    const s16 = await read('CFG-16');
    assert.equal(s16.source, 'GetConfiguration');
    assert.deepEqual(s16.variables.map((v: any) => [v.name, v.value]), [['HeartbeatInterval', '300'], ['WebSocketPingInterval', '30'], ['NumberOfConnectors', '2']]);
    assert.equal(s16.variables.find((v: any) => v.name === 'NumberOfConnectors').attributes[0].mutability, 'ReadOnly');

    const s201 = await read('CFG-201');
    assert.equal(s201.source, 'GetBaseReport');
    assert.deepEqual(s201.variables.map((v: any) => v.name), ['OCPPCommCtrlr/HeartbeatInterval', 'OCPPCommCtrlr/WebSocketPingInterval', 'ChargingStation[evse 1]/NumberOfConnectors'], 'both parts, in order');
    assert.deepEqual(s201.variables[0].characteristics, { unit: 's', dataType: 'integer', supportsMonitoring: false });
    assert.equal(s201.variables[2].evseId, 1);
  });

  it('finds settings by name or value', async () => {
    const found = await api('/api/stations/CFG-16/configuration?search=heartbeat');
    assert.deepEqual(found.body.variables.map((v: any) => v.name), ['HeartbeatInterval']);
    assert.deepEqual((await api('/api/stations/CFG-201/configuration?search=30')).body.variables.map((v: any) => v.name), ['OCPPCommCtrlr/HeartbeatInterval', 'OCPPCommCtrlr/WebSocketPingInterval']);
  });

  it('changes a setting in the station\'s version and shows what the station said: accepted, after a reboot, or refused', async () => {
    assert.deepEqual((await post('/api/stations/CFG-16/configuration', { variable: 'HeartbeatInterval', value: '120' })).body, { name: 'HeartbeatInterval', status: 'Accepted', rebootRequired: false });
    assert.equal(cp16.settings.get('HeartbeatInterval')!.value, '120', 'the station has it');
    const reboot = await post('/api/stations/CFG-16/configuration', { variable: 'WebSocketPingInterval', value: '60' });
    assert.deepEqual(reboot.body, { name: 'WebSocketPingInterval', status: 'RebootRequired', rebootRequired: true });
    assert.equal((await post('/api/stations/CFG-16/configuration', { variable: 'NumberOfConnectors', value: '4' })).body.status, 'Rejected');
    const latest = (await api('/api/stations/CFG-16/configuration')).body;
    assert.equal(latest.source, 'Change', 'each accepted change is a snapshot of its own');
    assert.equal(value(latest, 'HeartbeatInterval'), '120');
    const ping = latest.variables.find((v: any) => v.name === 'WebSocketPingInterval');
    assert.deepEqual([ping.value, ping.rebootRequired, ping.attributes.find((a: any) => a.type === 'Target').value], ['30', true, '60'], 'in use until the reboot: the old value; the new one is the target');
    assert.equal(value(latest, 'NumberOfConnectors'), '2', 'a refused change changes nothing');
    const changes = (await api('/api/stations/CFG-16/configuration/diff')).body.changes;
    assert.deepEqual(changes, [{ name: 'WebSocketPingInterval', before: '30', after: '30 (60 after a reboot)' }], 'the value in use stays; the one after the reboot shows');

    const set201 = await post('/api/stations/CFG-201/configuration', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '90' });
    assert.deepEqual(set201.body, { name: 'OCPPCommCtrlr/HeartbeatInterval', status: 'Accepted', rebootRequired: false });
    assert.equal(value((await api('/api/stations/CFG-201/configuration')).body, 'OCPPCommCtrlr/HeartbeatInterval'), '90');
    const wrongComponent = await post('/api/stations/CFG-201/configuration', { component: 'NoSuchCtrlr', variable: 'HeartbeatInterval', value: '1' });
    assert.equal(wrongComponent.body.status, 'UnknownComponent');
    // A 2.0.1 variable needs its component; a 1.6 key has none.
    const noComponent = await post('/api/stations/CFG-201/configuration', { variable: 'HeartbeatInterval', value: '1' });
    assert.deepEqual([noComponent.status, noComponent.body.code], [400, 'InvalidRequest']);
    assert.equal((await post('/api/stations/CFG-16/configuration', { component: 'X', variable: 'HeartbeatInterval', value: '1' })).status, 400);
    assert.equal((await post('/api/stations/CFG-16/configuration', { variable: 'HeartbeatInterval' })).body.field, 'value');
  });

  it('keeps the newest snapshots and shows what changed between two reads', async () => {
    cp16.settings.get('HeartbeatInterval')!.value = '45'; // changed at the station (its own display, another tool)
    const refreshed = await post('/api/stations/CFG-16/configuration/refresh', {});
    assert.deepEqual([refreshed.status, refreshed.body.source, refreshed.body.variables], [200, 'GetConfiguration', 3]);
    const diff = (await api('/api/stations/CFG-16/configuration/diff')).body;
    assert.deepEqual(diff.changes, [
      { name: 'HeartbeatInterval', before: '120', after: '45' },
      { name: 'WebSocketPingInterval', before: '30 (60 after a reboot)', after: '60' }, // this station reports a pending value as its own
    ]);
    const kept: string[] = [];
    for (let i = 0; i < 3; i++) kept.push((await post('/api/stations/CFG-16/configuration/refresh', {})).body.takenAt);
    const { takenAt } = (await api('/api/stations/CFG-16/configuration/snapshots')).body;
    assert.deepEqual(takenAt, kept, 'the configured number kept: the newest');
    const older = (await api(`/api/stations/CFG-16/configuration?at=${encodeURIComponent(kept[0]!)}`)).body;
    assert.equal(older.takenAt, kept[0]);
  });

  it('says when a report does not come complete, when a station is unknown, offline or was never read', async () => {
    const slow = await station201(gw.url, 'CFG-SLOW', { finish: false });
    try {
      await eventually(() => slow.requested.length > 0, 10_000);
      // Queued behind the read on connect, which waits for the rest of its report first.
      const r = await post('/api/stations/CFG-SLOW/configuration/refresh', {});
      assert.deepEqual([r.status, r.body.code], [502, 'Timeout']);
      assert.match(r.body.error, /did not send its whole configuration report within 2 s of accepting GetBaseReport/);
      const never = await api('/api/stations/CFG-SLOW/configuration');
      assert.deepEqual([never.status, never.body.code], [404, 'NotFound']);
      assert.match(never.body.error, /was not read yet: refresh it/);
    } finally {
      await slow.client.close();
    }
    assert.equal((await api('/api/stations/NOPE/configuration')).status, 404);
    await eventually(() => !gw.commands.isConnected('CFG-SLOW'));
    const offline = await post('/api/stations/CFG-SLOW/configuration/refresh', {});
    assert.deepEqual([offline.status, offline.body.code], [502, 'StationOffline']);
  });
});
