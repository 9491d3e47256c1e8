// OCPP 1.6 against @voltbras/ts-ocpp's ChargePoint: a second, independent 1.6 implementation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import voltbras from '@voltbras/ts-ocpp';
import type { ChargePoint as ChargePointClass } from '@voltbras/ts-ocpp';

// The package is CommonJS; its named exports are on the default export.
const { ChargePoint } = voltbras as unknown as { ChargePoint: typeof ChargePointClass };
type ChargePoint = InstanceType<typeof ChargePoint>;
import { call16 } from '../../src/ocpp/v16/calls.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

async function send(cp: ChargePoint, action: string, payload: Record<string, unknown>): Promise<any> {
  const result = await (cp.sendRequest as any)({ action, ocppVersion: 'v1.6-json', payload }).run();
  if (result.isLeft()) throw result.extract();
  return result.extract();
}

describe('OCPP 1.6 with @voltbras/ts-ocpp', () => {
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true } }); });
  after(() => gw.cleanup());

  it('boots, authorizes and runs a transaction with meter values; a replayed start gets the same id', async () => {
    let remoteStarts = 0;
    const cp = new ChargePoint('VOLT-1', (req: any) => {
      if (req.action === 'RemoteStartTransaction') {
        remoteStarts++;
        return { action: req.action, ocppVersion: req.ocppVersion, status: 'Accepted' } as any;
      }
      throw new Error('unexpected request');
    }, gw.url);
    await cp.connect();
    const boot = await send(cp, 'BootNotification', { chargePointVendor: 'Volt', chargePointModel: 'TS-1' });
    assert.equal(boot.status, 'Accepted');
    await send(cp, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const auth = await send(cp, 'Authorize', { idTag: 'VOLT-TAG' });
    assert.equal(auth.idTagInfo.status, 'Accepted');

    const start = { connectorId: 1, idTag: 'VOLT-TAG', meterStart: 100, timestamp: '2026-11-21T09:00:00.000Z' };
    const started = await send(cp, 'StartTransaction', start);
    const replay = await send(cp, 'StartTransaction', start);
    assert.equal(replay.transactionId, started.transactionId);
    await send(cp, 'MeterValues', {
      connectorId: 1,
      transactionId: started.transactionId,
      meterValue: [{ timestamp: '2026-11-21T09:10:00.000Z', sampledValue: [{ value: '1100', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    const state = await gw.service.state('VOLT-1');
    assert.equal(state!.transactions[started.transactionId]!.lastMeter, 1100);

    // The central system can reach this client too.
    const answer = await call16(gw.ocpp.connection('VOLT-1')!, 'RemoteStartTransaction', { connectorId: 1, idTag: 'VOLT-TAG' });
    assert.equal(answer.status, 'Accepted');
    assert.equal(remoteStarts, 1);

    await send(cp, 'StopTransaction', { transactionId: started.transactionId, meterStop: 1500, timestamp: '2026-11-21T09:20:00.000Z' });
    const [finished] = await gw.store.stations.finishedTransactions('VOLT-1');
    assert.equal(finished?.endMeter, 1500);
    assert.equal(finished?.startMeter, 100);
    cp.close();
  });
});
