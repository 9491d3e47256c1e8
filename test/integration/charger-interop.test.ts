// What independent chargers ran into, over real sockets with ocpp-rpc charge points (strict:
// they also check every message the gateway sends against the official schemas).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeAddress } from '@polkadot/util-crypto';
import { idTagForKey } from '../../src/domain/consumer-ids.ts';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('independent chargers', () => {
  let gw: TestGateway;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => fetch(`http://127.0.0.1:${gw.adminPort}${path}`, {
    method, headers: { Authorization: `Bearer ${token}` }, ...(body ? { body: JSON.stringify(body) } : {}),
  }).then(async (r) => ({ status: r.status, body: await r.json() as any }));
  before(async () => {
    gw = await startTestGateway({ sessions: { startTimeoutSec: 3 } });
    token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
  });
  after(() => gw.cleanup());

  for (const [version, identity] of [['ocpp2.0.1', 'LIST-201'], ['ocpp1.6', 'LIST-16']] as const) {
    it(`${version}: an empty Full list is sent valid, and a confirmed change clears the list's dirty flag (seen: a failed resync on every reconnect; on 1.6 a needless Full update)`, async () => {
      const cp = await Charger.connect(gw.url, identity, version);
      await cp.status(1, 'Available');
      // Strict ocpp-rpc refuses an invalid SendLocalList itself: Accepted means it was valid.
      assert.equal((await api('POST', `/api/stations/${identity}/commands/resync-local-list`, {})).body.result, 'Accepted');
      const key = encodeAddress(randomBytes(32), 42);
      await gw.bridge.authorize({ station: identity, consumerKey: key });
      await gw.bridge.start({ station: identity, connectorId: 1, consumerKey: key });
      await cp.meterValues(1, 500);
      await gw.bridge.stop({ station: identity, connectorId: 1, consumerKey: key });
      await eventually(() => cp.list.size === 0, 5_000, 'the idTag was not removed');
      const state = (await api('GET', `/api/stations/${identity}/local-list`)).body;
      assert.equal(state.dirty, false, 'both changes were confirmed');
      // What runs after every reconnect: the station's version is compared with ours.
      const updates = cp.listUpdates.length;
      await gw.bridge.onStationReady(identity);
      assert.deepEqual(cp.listUpdates.slice(updates), [], 'in sync: no Full update');
      assert.ok(updates >= 3);
      await cp.close();
    });
  }

  it('a consumer\'s tag started on another connector than the remote start named belongs to the session; a second transaction with it is refused', async () => {
    const cp = await Charger.connect(gw.url, 'MOVE-16', 'ocpp1.6');
    for (const c of [1, 2]) await cp.status(c, 'Available');
    cp.behaviour.neverStart = true; // the remote start on 2 is accepted, the driver plugs into 1
    const bytes = randomBytes(32);
    const key = encodeAddress(bytes, 42);
    const idTag = idTagForKey(bytes);
    await gw.bridge.authorize({ station: 'MOVE-16', consumerKey: key });
    const starting = gw.bridge.start({ station: 'MOVE-16', connectorId: 2, consumerKey: key });
    await eventually(async () => Object.values((await gw.service.state('MOVE-16'))!.sessions).some((s) => s.state === 'starting'), 5_000);
    const first = await cp.client.call('StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: at(1) });
    assert.equal(first.idTagInfo.status, 'Accepted');
    const { session } = await starting;
    assert.equal(session.connectorId, 1, 'the session runs on the connector the transaction runs on');
    assert.equal(session.transactionId, first.transactionId);
    const second = await cp.client.call('StartTransaction', { connectorId: 2, idTag, meterStart: 0, timestamp: at(2) });
    assert.equal(second.idTagInfo.status, 'Invalid', 'a consumer tag is good for that consumer\'s one session (seen: energy delivered, nothing billed)');
    const replay = await cp.client.call('StartTransaction', { connectorId: 2, idTag, meterStart: 0, timestamp: at(2) });
    assert.deepEqual(replay, second, 'its retry gets the same answer');
    await cp.close();
  });

  it('accepts the station\'s own start with a tag an operator sent in a remote start (seen: Invalid, and the charger stopped)', async () => {
    const cp = await connectRpcClient(gw.url, 'OPERATOR-16', 'ocpp1.6');
    const starts: any[] = [];
    cp.handle('RemoteStartTransaction', ({ params }: any) => {
      setImmediate(() => { void cp.call('StartTransaction', { connectorId: params.connectorId, idTag: params.idTag, meterStart: 0, timestamp: at(1) }).then((r: any) => starts.push(r)); });
      return { status: 'Accepted' };
    });
    cp.handle(() => ({}));
    await cp.call('BootNotification', BOOT_16);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    assert.equal((await api('POST', '/api/stations/OPERATOR-16/commands/remote-start', { connectorId: 1, idTag: 'FLEET-CARD-7' })).body.result.accepted, true);
    const started = await eventually(() => starts[0], 5_000, 'the station never started');
    assert.equal(started.idTagInfo.status, 'Accepted');
    const later = await cp.call('StartTransaction', { connectorId: 1, idTag: 'FLEET-CARD-7', meterStart: 0, timestamp: at(9) });
    assert.equal(later.idTagInfo.status, 'Invalid', 'the grant was for that one start');
    // A remote start the station refuses leaves no grant behind.
    cp.handle('RemoteStartTransaction', () => ({ status: 'Rejected' }));
    assert.equal((await api('POST', '/api/stations/OPERATOR-16/commands/remote-start', { connectorId: 1, idTag: 'FLEET-CARD-8' })).body.result.accepted, false);
    const own = await cp.call('StartTransaction', { connectorId: 1, idTag: 'FLEET-CARD-8', meterStart: 0, timestamp: at(12) });
    assert.equal(own.idTagInfo.status, 'Invalid', 'a refused remote start grants nothing');
    await cp.close({ force: true });
  });

  it('1.6 details: FirmwareStatusNotification by core TriggerMessage; the stop\'s reading is the last; currents as sent; every message counts as seen', async () => {
    const cp = await connectRpcClient(gw.url, 'DETAIL-16', 'ocpp1.6');
    const triggered: string[] = [];
    cp.handle('TriggerMessage', ({ params }: any) => { triggered.push(`core:${params.requestedMessage}`); return { status: 'Accepted' }; });
    cp.handle('ExtendedTriggerMessage', ({ params }: any) => { triggered.push(`extended:${params.requestedMessage}`); return { status: 'Accepted' }; });
    cp.handle(() => ({}));
    await cp.call('BootNotification', BOOT_16);
    await api('POST', '/api/stations/DETAIL-16/commands/trigger', { message: 'FirmwareStatusNotification' });
    await api('POST', '/api/stations/DETAIL-16/commands/trigger', { message: 'LogStatusNotification' });
    assert.deepEqual(triggered, ['core:FirmwareStatusNotification', 'extended:LogStatusNotification']);

    const seenAtBoot = (await gw.service.state('DETAIL-16'))!.lastSeenAt;
    await new Promise((r) => setTimeout(r, 20));
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    assert.ok((await gw.service.state('DETAIL-16'))!.lastSeenAt > seenAtBoot, 'lastSeenAt moved with a StatusNotification');

    const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'X', meterStart: 100, timestamp: at(1) });
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: at(2), sampledValue: [{ value: '500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '16.1', measurand: 'Current.Offered', unit: 'A' }] }] });
    await cp.call('StopTransaction', { transactionId, meterStop: 900, timestamp: at(3) });
    const finished = await gw.store.stations.loadFinished('DETAIL-16', transactionId);
    assert.equal(finished!.lastMeter, 900, 'the stop\'s own reading');
    assert.equal(finished!.progress?.currentOffered, 16.1, 'not 16.100000381469727');
    await cp.close({ force: true });
  });
});
