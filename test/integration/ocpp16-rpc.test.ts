// OCPP 1.6 against ocpp-rpc's RPCClient in strict mode: a third-party charge point that also
// checks every message this central system sends against the official schemas.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('OCPP 1.6 with ocpp-rpc (strict)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({
      ocpp: { acceptUnknownIdTags: true },
      stations: {
        list: [
          { identity: 'PENDING-1', securityProfile: 0, registration: 'Pending' },
          { identity: 'REJECTED-1', securityProfile: 0, registration: 'Rejected' },
        ],
      },
    });
  });
  after(() => gw.cleanup());

  it('boots, reports status and answers heartbeats', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-BOOT', 'ocpp1.6');
    const boot = await cp.call('BootNotification', BOOT_16);
    assert.equal(boot.status, 'Accepted');
    assert.equal(boot.interval, 300);
    assert.ok(Math.abs(Date.parse(boot.currentTime) - Date.now()) < 60_000);
    await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: '2026-11-21T10:00:00+01:00' });
    const hb = await cp.call('Heartbeat', {});
    assert.ok(hb.currentTime);
    const state = await gw.service.state('CP16-BOOT');
    assert.equal(state?.status, 'Accepted');
    assert.equal(state?.ocppVersion, 'ocpp1.6');
    assert.equal(state?.boot?.ChargePointVendor, 'TestVendor');
    assert.equal(state?.boot?.ChargePointSerialNumber, 'SN-16');
    assert.equal(state?.connectors[1]?.status, 'Preparing');
    // The station's offset time is kept, normalised to UTC.
    assert.equal(state?.connectors[1]?.statusTimestamp, '2026-11-21T09:00:00.000Z');
    assert.equal(state?.connectors[0]?.status, 'Available');
    await cp.close();
  });

  it('refuses every message but BootNotification before the station is accepted, without needing a new boot on reconnect', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-GATE', 'ocpp1.6');
    await assert.rejects(cp.call('Heartbeat', {}), (err: any) => err.rpcErrorCode === 'SecurityError');
    await cp.call('BootNotification', BOOT_16);
    await cp.close();
    const again = await connectRpcClient(gw.url, 'CP16-GATE', 'ocpp1.6');
    const hb = await again.call('Heartbeat', {});
    assert.ok(hb.currentTime, 'an accepted station is served after reconnecting without a new BootNotification');
    await again.close();
  });

  it('answers a station configured as Pending with Pending and the retry interval, and refuses its other messages', async () => {
    const cp = await connectRpcClient(gw.url, 'PENDING-1', 'ocpp1.6');
    const boot = await cp.call('BootNotification', BOOT_16);
    assert.equal(boot.status, 'Pending');
    assert.equal(boot.interval, 60);
    await assert.rejects(cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }), (err: any) => err.rpcErrorCode === 'SecurityError');
    await cp.close();
  });

  it('answers a Rejected station with Rejected and sends it nothing but TriggerMessage(BootNotification)', async () => {
    const cp = await connectRpcClient(gw.url, 'REJECTED-1', 'ocpp1.6');
    let triggered = 0;
    cp.handle('TriggerMessage', async () => { triggered++; return { status: 'Accepted' }; });
    const boot = await cp.call('BootNotification', BOOT_16);
    assert.equal(boot.status, 'Rejected');
    await assert.rejects(cp.call('Heartbeat', {}), (err: any) => err.rpcErrorCode === 'SecurityError');
    const connection = gw.ocpp.connection('REJECTED-1')!;
    await assert.rejects(connection.call('GetConfiguration', {}), /Rejected/);
    assert.deepEqual(await connection.call('TriggerMessage', { requestedMessage: 'BootNotification' }), { status: 'Accepted' });
    assert.equal(triggered, 1);
    await cp.close();
  });

  it('authorizes idTags by the policy', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-AUTH', 'ocpp1.6');
    await cp.call('BootNotification', BOOT_16);
    const res = await cp.call('Authorize', { idTag: 'ANY-TAG' });
    assert.deepEqual(res, { idTagInfo: { status: 'Accepted' } });
    await cp.close();
  });

  it('runs a whole transaction with meter values, de-duplicates a replayed start and answers a replayed stop the same way', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-TX', 'ocpp1.6');
    await cp.call('BootNotification', BOOT_16);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const start = { connectorId: 1, idTag: 'TAG-1', meterStart: 12_000, timestamp: '2026-11-21T08:00:00Z' };
    const started = await cp.call('StartTransaction', start);
    assert.equal(started.idTagInfo.status, 'Accepted');
    assert.ok(Number.isInteger(started.transactionId) && started.transactionId > 0);
    // The station retries with a new message id (its answer got lost): same transaction.
    const replay = await cp.call('StartTransaction', start);
    assert.equal(replay.transactionId, started.transactionId);

    const txId = started.transactionId;
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    for (let minute = 1; minute <= 3; minute++) {
      await cp.call('MeterValues', {
        connectorId: 1,
        transactionId: txId,
        meterValue: [{
          timestamp: `2026-11-21T08:0${minute}:00Z`,
          sampledValue: [
            { value: String(12 + minute * 0.5), measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Periodic' },
            { value: '31.5', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
            { value: '32', measurand: 'Current.Offered', unit: 'A' },
            { value: '229.5', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
            { value: '25.1', measurand: 'Temperature', unit: 'Celsius' },
          ],
        }],
      });
    }
    let state = await gw.service.state('CP16-TX');
    const open = state!.transactions[txId]!;
    assert.equal(open.lastMeter, 13_500);
    assert.equal(open.progress?.currentOffered, 32);
    assert.equal(open.progress?.voltageOffered, 229.5);
    assert.equal(state!.connectors[1]!.currentTransaction, txId);

    const stop = { transactionId: txId, meterStop: 14_250, timestamp: '2026-11-21T08:05:00Z', idTag: 'TAG-1', reason: 'EVDisconnected' };
    const stopped = await cp.call('StopTransaction', stop);
    assert.equal(stopped.idTagInfo.status, 'Accepted');
    const stoppedAgain = await cp.call('StopTransaction', stop);
    assert.deepEqual(stoppedAgain, stopped);

    state = await gw.service.state('CP16-TX');
    assert.deepEqual(state!.transactions, {});
    assert.equal(state!.connectors[1]!.currentTransaction, 0);
    const finished = await gw.store.stations.finishedTransactions('CP16-TX');
    assert.equal(finished.length, 1);
    assert.equal(finished[0]!.startMeter, 12_000);
    assert.equal(finished[0]!.endMeter, 14_250);
    assert.equal(finished[0]!.stopReason, 'EVDisconnected');
    assert.equal(finished[0]!.startTime, '2026-11-21T08:00:00.000Z');
    const samples = await gw.store.stations.readings('CP16-TX', txId);
    assert.equal(samples.length, 3, 'every meter value is kept once');
    assert.match(samples[0]!.sampledValuesJson, /Temperature/);
    await cp.close();
  });

  it('assigns increasing ids from the station counter and accepts a stop for transactionId -1', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-IDS', 'ocpp1.6');
    await cp.call('BootNotification', BOOT_16);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: i * 100, timestamp: `2026-11-21T0${i}:00:00Z` });
      ids.push(transactionId);
      await cp.call('StopTransaction', { transactionId, meterStop: i * 100 + 50, timestamp: `2026-11-21T0${i}:30:00Z` });
    }
    assert.deepEqual(ids, [ids[0], ids[0]! + 1, ids[0]! + 2]);
    const orphan = await cp.call('StopTransaction', { transactionId: -1, meterStop: 777, timestamp: '2026-11-21T05:00:00Z', idTag: 'T' });
    assert.equal(orphan.idTagInfo.status, 'Accepted');
    const finished = await gw.store.stations.finishedTransactions('CP16-IDS');
    assert.equal(finished.length, 4);
    const kept = await gw.store.stations.loadFinished('CP16-IDS', -1);
    assert.equal(kept?.orphan, true);
    assert.equal(kept?.endMeter, 777);
    await cp.close();
  });

  it('keeps DataTransfer and security events, and answers an unknown vendor with UnknownVendorId', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-MISC', 'ocpp1.6');
    await cp.call('BootNotification', BOOT_16);
    const dt = await cp.call('DataTransfer', { vendorId: 'com.example', messageId: 'hello', data: 'x' });
    assert.equal(dt.status, 'UnknownVendorId');
    await cp.call('SecurityEventNotification', { type: 'FirmwareUpdated', timestamp: '2026-11-21T08:00:00Z' });
    const reports = await gw.store.stations.reports('CP16-MISC');
    assert.deepEqual(reports.map((r) => r.action), ['DataTransfer', 'SecurityEventNotification']);
    await assert.rejects(cp.call('Reset', { type: 'Soft' }), (err: any) => err.rpcErrorCode === 'NotSupported');
    await cp.close();
  });

  it('sends CALLs to the station one at a time and returns their results', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-OUT', 'ocpp1.6');
    await cp.call('BootNotification', BOOT_16);
    let inFlight = 0;
    let maxInFlight = 0;
    cp.handle('GetConfiguration', async ({ params }: any) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      return { configurationKey: [{ key: params.key[0], readonly: true, value: 'v' }] };
    });
    const connection = gw.ocpp.connection('CP16-OUT')!;
    const results = await Promise.all([1, 2, 3].map((n) => connection.call('GetConfiguration', { key: [`K${n}`] })));
    assert.deepEqual(results.map((r: any) => r.configurationKey[0].key), ['K1', 'K2', 'K3']);
    assert.equal(maxInFlight, 1, 'at most one outstanding CALL per connection');
    await cp.close();
  });

  it('rejects an outbound CALL that is not schema-valid before sending it', async () => {
    const cp = await connectRpcClient(gw.url, 'CP16-STRICT', 'ocpp1.6');
    await cp.call('BootNotification', BOOT_16);
    const connection = gw.ocpp.connection('CP16-STRICT')!;
    await assert.rejects(connection.call('RemoteStartTransaction', { connectorId: 1 }), /idTag/);
    await cp.close();
  });
});
