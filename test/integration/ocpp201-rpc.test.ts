// OCPP 2.0.1 against ocpp-rpc's RPCClient in strict mode.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { call16 } from '../../src/ocpp/v16/calls.ts';
import { call201 } from '../../src/ocpp/v201/calls.ts';
import { minimalRequests } from '../helpers/schema-samples.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const energy = (wh: number, timestamp: string) => ({
  timestamp,
  sampledValue: [
    { value: wh / 1000, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } },
    { value: 16, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
    { value: 15.5, measurand: 'Current.Import', phase: 'L2', unitOfMeasure: { unit: 'A' } },
    { value: 230.4, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
    { value: 229.6, measurand: 'Voltage', phase: 'L2-N', unitOfMeasure: { unit: 'V' } },
  ],
});

describe('OCPP 2.0.1 with ocpp-rpc (strict)', () => {
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: false } }); });
  after(() => gw.cleanup());

  it('boots and maps EVSE/connector status into the station state', async () => {
    const cs = await connectRpcClient(gw.url, 'CS201-BOOT', 'ocpp2.0.1');
    const boot = await cs.call('BootNotification', BOOT_201);
    assert.equal(boot.status, 'Accepted');
    assert.equal(boot.interval, 300);
    await cs.call('StatusNotification', { timestamp: '2026-11-21T08:00:00.123456Z', connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    await cs.call('StatusNotification', { timestamp: '2026-11-21T08:00:00Z', connectorStatus: 'Available', evseId: 2, connectorId: 1 });
    await cs.call('StatusNotification', { timestamp: '2026-11-21T08:00:01Z', connectorStatus: 'Occupied', evseId: 2, connectorId: 2 });
    await cs.call('Heartbeat', {});
    const state = await gw.service.state('CS201-BOOT');
    assert.equal(state?.ocppVersion, 'ocpp2.0.1');
    assert.equal(state?.bootReason, 'PowerUp');
    assert.equal(state?.boot?.ChargePointSerialNumber, 'SN-201');
    assert.equal(state?.connectors[1]?.status, 'Available');
    assert.equal(state?.connectors[1]?.statusTimestamp, '2026-11-21T08:00:00.123Z');
    // An EVSE with one occupied connector is occupied; each connector's own status is kept.
    assert.equal(state?.connectors[2]?.status, 'Occupied');
    assert.deepEqual(state?.connectors[2]?.connectorStatuses, { 1: 'Available', 2: 'Occupied' });
    assert.equal(state?.connectors[2]?.evseId, 2);
    await cs.close();
  });

  it('answers Authorize for an unknown token with Invalid (policy: unknown tokens refused)', async () => {
    const cs = await connectRpcClient(gw.url, 'CS201-AUTH', 'ocpp2.0.1');
    await cs.call('BootNotification', BOOT_201);
    const res = await cs.call('Authorize', { idToken: { idToken: 'NOPE', type: 'ISO14443' } });
    assert.deepEqual(res, { idTokenInfo: { status: 'Invalid' } });
    await cs.close();
  });

  it('runs Started/Updated/Ended, ignores replayed seqNos and keeps the station transaction id', async () => {
    const cs = await connectRpcClient(gw.url, 'CS201-TX', 'ocpp2.0.1');
    await cs.call('BootNotification', BOOT_201);
    const base = { transactionInfo: { transactionId: 'tx-7f3a-01', chargingState: 'Charging', remoteStartId: 42 } };
    const started = {
      ...base, eventType: 'Started', timestamp: '2026-11-21T08:00:00Z', triggerReason: 'Authorized', seqNo: 0,
      idToken: { idToken: 'TOKEN-1', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 }, meterValue: [energy(5000, '2026-11-21T08:00:00Z')],
    };
    const res = await cs.call('TransactionEvent', started);
    assert.deepEqual(res, { idTokenInfo: { status: 'Invalid' } });
    await cs.call('TransactionEvent', started); // replay, new message id
    const updated = { ...base, eventType: 'Updated', timestamp: '2026-11-21T08:01:00Z', triggerReason: 'MeterValuePeriodic', seqNo: 1, meterValue: [energy(5600, '2026-11-21T08:01:00Z')] };
    await cs.call('TransactionEvent', updated);
    await cs.call('TransactionEvent', updated);

    let state = await gw.service.state('CS201-TX');
    const localId = state!.transactionIds['tx-7f3a-01']!;
    const open = state!.transactions[localId]!;
    assert.equal(open.ocppTransactionId, 'tx-7f3a-01');
    assert.equal(open.evseId, 1);
    assert.equal(open.remoteStartId, 42);
    assert.equal(open.startMeter, 5000);
    assert.equal(open.lastMeter, 5600);
    assert.equal(open.lastSeqNo, 1);
    assert.equal(open.progress?.currentOffered, 16);
    assert.equal(Math.round(open.progress!.voltageOffered * 10) / 10, 230);
    assert.equal(state!.connectors[1]!.currentTransaction, localId);

    const ended = {
      ...base, transactionInfo: { ...base.transactionInfo, stoppedReason: 'EVDisconnected' }, eventType: 'Ended',
      timestamp: '2026-11-21T08:02:00Z', triggerReason: 'EVCommunicationLost', seqNo: 2, meterValue: [energy(6100, '2026-11-21T08:02:00Z')],
    };
    await cs.call('TransactionEvent', ended);
    await cs.call('TransactionEvent', ended);
    state = await gw.service.state('CS201-TX');
    assert.deepEqual(state!.transactions, {});
    const finished = await gw.store.stations.finishedTransactions('CS201-TX');
    assert.equal(finished.length, 1, 'replays never double a transaction');
    assert.equal(finished[0]!.endMeter, 6100);
    assert.equal(finished[0]!.stopReason, 'EVDisconnected');
    assert.equal((await gw.store.stations.readings('CS201-TX', localId)).length, 3);
    await cs.close();
  });

  it('opens a transaction first seen through an offline Updated event', async () => {
    const cs = await connectRpcClient(gw.url, 'CS201-OFF', 'ocpp2.0.1');
    await cs.call('BootNotification', BOOT_201);
    await cs.call('TransactionEvent', {
      eventType: 'Updated', timestamp: '2026-11-21T07:00:00Z', triggerReason: 'MeterValuePeriodic', seqNo: 3, offline: true,
      transactionInfo: { transactionId: 'offline-1' }, evse: { id: 1, connectorId: 1 }, meterValue: [energy(900, '2026-11-21T07:00:00Z')],
    });
    await cs.call('TransactionEvent', {
      eventType: 'Ended', timestamp: '2026-11-21T07:10:00Z', triggerReason: 'StopAuthorized', seqNo: 4, offline: true,
      transactionInfo: { transactionId: 'offline-1', stoppedReason: 'Local' },
    });
    const [tx] = await gw.store.stations.finishedTransactions('CS201-OFF');
    assert.equal(tx?.ocppTransactionId, 'offline-1');
    assert.equal(tx?.offline, true);
    assert.equal(tx?.endMeter, 900, 'the last reading closes the transaction when Ended has none');
    await cs.close();
  });

  it('stores MeterValues, NotifyEvent, NotifyReport and SecurityEventNotification', async () => {
    const cs = await connectRpcClient(gw.url, 'CS201-REP', 'ocpp2.0.1');
    await cs.call('BootNotification', BOOT_201);
    await cs.call('MeterValues', { evseId: 1, meterValue: [energy(100, '2026-11-21T08:00:00Z')] });
    await cs.call('NotifyEvent', {
      generatedAt: '2026-11-21T08:00:00Z', seqNo: 0,
      eventData: [{ eventId: 1, timestamp: '2026-11-21T08:00:00Z', trigger: 'Alerting', actualValue: 'true', eventNotificationType: 'HardWiredNotification', component: { name: 'Door' }, variable: { name: 'Problem' } }],
    });
    await cs.call('NotifyReport', { requestId: 1, generatedAt: '2026-11-21T08:00:00Z', seqNo: 0 });
    await cs.call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: '2026-11-21T08:00:00Z' });
    const actions = (await gw.store.stations.reports('CS201-REP')).map((r) => r.action);
    // Meter values outside a transaction are kept as received, within the station's report quota.
    assert.deepEqual(actions, ['MeterValues', 'NotifyEvent', 'NotifyReport', 'SecurityEventNotification']);
    assert.equal((await gw.store.stations.readings('CS201-REP')).length, 0);
    const dt = await cs.call('DataTransfer', { vendorId: 'com.example' });
    assert.equal(dt.status, 'UnknownVendorId');
    await cs.close();
  });

  it('answers what a station sends after an operator\'s reports, displays, profiles and firmware publishing, and keeps it (seen: refused NotSupported)', async () => {
    const cs = await connectRpcClient(gw.url, 'CS201-NOTIFY', 'ocpp2.0.1');
    await cs.call('BootNotification', BOOT_201);
    const seeds = minimalRequests('ocpp2.0.1');
    const actions = ['NotifyMonitoringReport', 'NotifyCustomerInformation', 'NotifyDisplayMessages', 'ReportChargingProfiles', 'NotifyChargingLimit',
      'ClearedChargingLimit', 'PublishFirmwareStatusNotification', 'NotifyEVChargingNeeds', 'NotifyEVChargingSchedule'];
    const answers: Record<string, unknown> = {};
    // Strict ocpp-rpc checks each answer against its schema too.
    for (const action of actions) answers[action] = await cs.call(action, seeds.get(action)!);
    assert.deepEqual(answers.NotifyEVChargingNeeds, { status: 'Rejected' }, 'no schedule from this node: the station goes on with its own');
    assert.deepEqual(answers.NotifyEVChargingSchedule, { status: 'Accepted' });
    assert.deepEqual((await gw.store.stations.reports('CS201-NOTIFY')).map((r) => r.action), actions);
    await cs.close();
  });

  it('sends a 2.0.1 CALL and surfaces the station CALLERROR, timeout and abort as distinct errors', async () => {
    const cs = await connectRpcClient(gw.url, 'CS201-OUT', 'ocpp2.0.1');
    await cs.call('BootNotification', BOOT_201);
    cs.handle('GetVariables', async ({ params }: any) => ({
      getVariableResult: params.getVariableData.map((d: any) => ({ attributeStatus: 'Accepted', attributeValue: '60', component: d.component, variable: d.variable })),
    }));
    cs.handle('Reset', async () => { throw Object.assign(new Error('busy'), { rpcErrorCode: 'InternalError' }); });
    cs.handle('ClearCache', () => new Promise(() => {}));
    const connection = gw.ocpp.connection('CS201-OUT')!;
    const vars = await call201(connection, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    assert.equal(vars.getVariableResult[0]!.attributeValue, '60');
    await assert.rejects(call201(connection, 'Reset', { type: 'Immediate' }), (err: any) => err.name === 'RpcError' && err.kind === 'InternalError');
    await assert.rejects(call201(gw.ocpp.connection('CS201-OUT')!, 'Reset', { type: 'Immediate' }), /busy/);
    await assert.rejects(call16(connection, 'Reset', { type: 'Soft' }), /speaks ocpp2.0.1, not ocpp1.6/);
    await assert.rejects(connection.call('ClearCache', {}, { timeoutMs: 200 }), (err: any) => err.name === 'CallTimeoutError');
    const controller = new AbortController();
    const aborted = connection.call('ClearCache', {}, { signal: controller.signal, timeoutMs: 10_000 });
    controller.abort(new Error('operator cancelled'));
    await assert.rejects(aborted, /operator cancelled/);
    // The queue moves on after a timeout and an abort.
    const again: any = await connection.call('GetVariables', { getVariableData: [{ component: { name: 'C' }, variable: { name: 'V' } }] });
    assert.equal(again.getVariableResult.length, 1);
    // force: the client would otherwise wait for its never-ending ClearCache handlers.
    await cs.close({ force: true });
  });
});
