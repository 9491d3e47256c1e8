// A station can only act for itself: another station's transaction id gets it nothing, and a
// path-like identity stays a name (it never reaches the file system).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, RawStation, connectRpcClient } from '../helpers/clients.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('station isolation', () => {
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true } }); });
  after(() => gw.cleanup());

  it("a station cannot stop, meter or read another station's transaction", async () => {
    const victim = await connectRpcClient(gw.url, 'VICTIM', 'ocpp1.6');
    const intruder = await connectRpcClient(gw.url, 'INTRUDER', 'ocpp1.6');
    try {
      await victim.call('BootNotification', BOOT_16);
      await intruder.call('BootNotification', BOOT_16);
      const { transactionId } = await victim.call('StartTransaction', { connectorId: 1, idTag: 'V-TAG', meterStart: 100, timestamp: '2026-11-21T10:00:00Z' });
      const readingsBefore = (await gw.store.stations.readings('VICTIM')).length;

      // OCPP requires an answer to every StopTransaction and MeterValues: the intruder gets one, and nothing else.
      await intruder.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: '2026-11-21T10:05:00Z', sampledValue: [{ value: '999999' }] }] });
      await intruder.call('StopTransaction', { transactionId, meterStop: 999_999, timestamp: '2026-11-21T10:06:00Z', idTag: 'V-TAG' });

      const victimState = await gw.service.state('VICTIM');
      const open = Object.values(victimState!.transactions).find((t) => t.id === transactionId);
      assert.ok(open, "the victim's transaction is still open");
      assert.equal(open.startMeter, 100);
      assert.equal((await gw.store.stations.readings('VICTIM')).length, readingsBefore, "no reading was added to the victim's transaction");
      assert.deepEqual(await gw.store.stations.finishedTransactions('VICTIM'), []);

      // The victim itself ends it, with its own meter.
      await victim.call('StopTransaction', { transactionId, meterStop: 1_100, timestamp: '2026-11-21T11:00:00Z' });
      const [finished] = await gw.store.stations.finishedTransactions('VICTIM');
      assert.equal(finished?.endMeter, 1_100, 'with its own meter reading');
    } finally {
      await victim.close({ force: true });
      await intruder.close({ force: true });
    }
  });

  it('a path-like identity is only a name: no file outside the data folder', async () => {
    const before = readdirSync(join(gw.config.dataDir, '..'));
    const st = await RawStation.connect(`${gw.url}/${encodeURIComponent('../../escape')}`, 'ocpp1.6');
    assert.equal((await st.call('b', 'BootNotification', BOOT_16))[0], 3);
    st.close();
    assert.equal((await gw.service.state('../../escape'))?.status, 'Accepted', 'stored under its name');
    assert.deepEqual(readdirSync(join(gw.config.dataDir, '..')), before, 'nothing was created beside the data folder');
    assert.equal(existsSync(join(gw.config.dataDir, '..', '..', 'escape')), false);
  });
});
