// A clean restart: state survives, stations reconnect (no new BootNotification) and finish
// the transactions they had open.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Charger } from '../helpers/charger.ts';
import { BOOT_16, BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { eventually } from '../helpers/wait.ts';
import { startTestGateway, tempDir } from '../helpers/gateway.ts';
import { MovableClock } from '../helpers/clock.ts';

describe('restart', () => {
  const dataDir = tempDir('cgw-restart-');
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps state and lets 1.6 and 2.0.1 stations continue their open transactions', async () => {
    const overrides = { ocpp: { acceptUnknownIdTags: true } };
    let gw = await startTestGateway(overrides, dataDir);
    let cp = await connectRpcClient(gw.url, 'R16', 'ocpp1.6');
    let cs = await connectRpcClient(gw.url, 'R201', 'ocpp2.0.1');
    await cp.call('BootNotification', BOOT_16);
    await cs.call('BootNotification', BOOT_201);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: '2026-11-21T08:00:00Z' });
    const tx201 = { transactionId: 'restart-tx' };
    await cs.call('TransactionEvent', {
      eventType: 'Started', timestamp: '2026-11-21T08:00:00Z', triggerReason: 'Authorized', seqNo: 0, transactionInfo: tx201,
      evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'B', type: 'Central' },
    });
    await cp.close();
    await cs.close();
    await gw.stop();

    gw = await startTestGateway(overrides, dataDir);
    try {
      const state = await gw.service.state('R16');
      assert.equal(state?.connectors[1]?.status, 'Charging');
      assert.equal(state?.connectors[1]?.currentTransaction, transactionId);
      cp = await connectRpcClient(gw.url, 'R16', 'ocpp1.6');
      cs = await connectRpcClient(gw.url, 'R201', 'ocpp2.0.1');
      // Accepted before the restart: served without a new BootNotification.
      await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: '2026-11-21T08:30:00Z', sampledValue: [{ value: '4000' }] }] });
      await cp.call('StopTransaction', { transactionId, meterStop: 8000, timestamp: '2026-11-21T09:00:00Z' });
      await cs.call('TransactionEvent', {
        eventType: 'Ended', timestamp: '2026-11-21T09:00:00Z', triggerReason: 'StopAuthorized', seqNo: 1, transactionInfo: tx201,
        meterValue: [{ timestamp: '2026-11-21T09:00:00Z', sampledValue: [{ value: 9000 }] }],
      });
      const [done16] = await gw.store.stations.finishedTransactions('R16');
      assert.equal(done16?.id, transactionId);
      assert.equal(done16?.endMeter, 8000);
      const [done201] = await gw.store.stations.finishedTransactions('R201');
      assert.equal(done201?.ocppTransactionId, 'restart-tx');
      assert.equal(done201?.endMeter, 9000);
      // The counter continues: the next 1.6 transaction gets the next id.
      const next = await cp.call('StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 8000, timestamp: '2026-11-21T10:00:00Z' });
      assert.equal(next.transactionId, transactionId + 1);
      await cp.close();
      await cs.close();
    } finally {
      await gw.stop();
    }
  });

  it('refuses a second node on the same data folder with a clear error', async () => {
    const gw = await startTestGateway({}, dataDir);
    try {
      await assert.rejects(startTestGateway({}, dataDir), /in use by another process/);
    } finally {
      await gw.stop();
    }
  });

  it('a consumer stop cut off by a restart goes back to charging, and the consumer can stop again', async () => {
    await cryptoWaitReady();
    const consumer = new Keyring({ type: 'sr25519' }).addFromSeed(randomBytes(32)).address;
    const lostDir = tempDir('cgw-lost-stop-');
    // Ten minutes: the test moves the clock past it rather than waiting.
    const overrides = { sessions: { stopTimeoutSec: 600 } };
    let gw = await startTestGateway(overrides, lostDir);
    try {
      let charger = await Charger.connect(gw.url, 'LOST-STOP', 'ocpp1.6');
      await charger.status(1, 'Available');
      await gw.bridge.authorize({ station: 'LOST-STOP', consumerKey: consumer });
      await gw.bridge.start({ station: 'LOST-STOP', connectorId: 1, consumerKey: consumer });
      const tx = await charger.transactionOn(1);
      charger.behaviour.neverStop = true;
      const stopping = gw.bridge.stop({ station: 'LOST-STOP', connectorId: 1, consumerKey: consumer }).catch((err: Error) => err);
      await eventually(async () => Object.values((await gw.service.state('LOST-STOP'))!.sessions).some((s) => s.state === 'stopping'));
      await charger.close();
      await gw.stop(); // the wait for the station's stop is gone with the process
      const cut = await stopping;
      assert.equal((cut as { code?: string }).code, 'ShuttingDown', 'the waiting consumer is told the node stopped');

      const clock = new MovableClock();
      gw = await startTestGateway(overrides, lostDir, clock);
      const session = () => gw.service.state('LOST-STOP').then((st) => Object.values(st!.sessions)[0]);
      assert.equal((await session())?.state, 'stopping', 'persisted as it was');
      assert.equal(await gw.bridge.sweep(['LOST-STOP']), 0, 'not before its stop timeout');
      clock.advance(601_000); // the stop timeout passes
      assert.equal(await gw.bridge.sweep(['LOST-STOP']), 1);
      assert.equal((await session())?.state, 'charging', 'the consumer may stop again');

      charger = await Charger.connect(gw.url, 'LOST-STOP', 'ocpp1.6');
      charger.open.set(1, tx); // the station's transaction ran on meanwhile
      await charger.meterValues(1, 1_500);
      const receipt = await gw.bridge.stop({ station: 'LOST-STOP', connectorId: 1, consumerKey: consumer });
      assert.equal(receipt.energyWh, 1_500);
      await charger.close();
    } finally {
      await gw.cleanup();
    }
  });
});
