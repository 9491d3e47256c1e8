// Consumer keys → local auth lists → remote start/stop → receipts, through ocpp-rpc charge points
// (strict mode) for both versions.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodeAddress } from '@polkadot/util-crypto';
import { idTagForKey } from '../../src/domain/consumer-ids.ts';
import type { BridgeErrorCode } from '../../src/app/bridge-error.ts';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const newConsumer = () => {
  const bytes = randomBytes(32);
  return { ss58: encodeAddress(bytes, 42), hex: `0x${bytes.toString('hex')}`, idTag: idTagForKey(bytes) };
};

const rejectsWith = (promise: Promise<unknown>, code: BridgeErrorCode, pattern?: RegExp) =>
  assert.rejects(promise, (err: any) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });

for (const version of ['ocpp1.6', 'ocpp2.0.1'] as const) {
  describe(`bridge, ${version}`, () => {
    let gw: TestGateway;
    const v = version === 'ocpp1.6' ? '16' : '201';
    before(async () => {
      gw = await startTestGateway({
        sessions: { startTimeoutSec: 1, stopTimeoutSec: 2 },
        tariff: { pricePerKwh: '500000000000000000', pricePerMinute: '1000', sessionFee: '7' },
      });
    });
    after(() => gw.cleanup());

    async function charger(name: string, connectors = 2): Promise<Charger> {
      const c = await Charger.connect(gw.url, `${name}-${v}`, version);
      for (let n = 1; n <= connectors; n++) await c.status(n, 'Available');
      return c;
    }

    it('runs a whole session: authorize → list update → remote start → meter values → remote stop → receipt', async () => {
      const cp = await charger('WHOLE');
      const alice = newConsumer();
      const station = cp.identity;
      const session = await gw.bridge.authorize({ station, consumerKey: alice.ss58 });
      assert.equal(session.state, 'authorized');
      assert.equal(session.idTag, alice.idTag);
      assert.equal(session.idTag.length, 20);
      // The charger's own list now holds the idTag with an expiry; our version follows it.
      assert.equal(cp.list.get(alice.idTag)?.status, 'Accepted');
      assert.ok(cp.list.get(alice.idTag)?.expiry);
      assert.equal((await gw.service.state(station))?.currentAuthListVersion, cp.listVersion);
      // Authorizing again (hex form of the same key) is the same session.
      assert.equal((await gw.bridge.authorize({ station, consumerKey: alice.hex })).id, session.id);

      const { session: charging, transaction } = await gw.bridge.start({ station, connectorId: 1, consumerKey: alice.ss58 });
      assert.equal(charging.state, 'charging');
      assert.equal(charging.connectorId, 1);
      assert.equal(transaction.idTag, alice.idTag);
      if (version === 'ocpp2.0.1') assert.equal(transaction.remoteStartId, charging.remoteStartId);

      await cp.meterValues(1, 2_000, 'OCMF|{"FV":"1.0","RD":[{"RV":12.0}]}|{"SD":"3045..."}');
      await cp.meterValues(1, 1_500);
      const status = await gw.bridge.status({ station, consumerKey: alice.hex });
      assert.equal(status?.session.state, 'charging');
      assert.equal(status?.transaction?.progress?.currentOffered, 32);
      assert.equal(status?.transaction?.progress?.voltageOffered, 230);
      assert.equal(status!.transaction!.lastMeter - status!.transaction!.startMeter, 3_500);

      const receipt = await gw.bridge.stop({ station, connectorId: 1, consumerKey: alice.ss58 });
      assert.equal(receipt.energyWh, 3_500);
      assert.equal(receipt.consumerPublicKey, alice.ss58);
      assert.equal(receipt.sessionId, session.id);
      // 3.5 kWh × 0.5 PEAQ + duration × 1000/min + 7; the charger's clock ran 60 s per message.
      assert.equal(receipt.energyAmount, '1750000000000000000');
      assert.equal(receipt.timeAmount, String(receipt.durationS * 1000 / 60));
      assert.equal(BigInt(receipt.totalAmount), BigInt(receipt.energyAmount) + BigInt(receipt.timeAmount) + 7n);
      assert.equal(receipt.signedMeterValues.length, 1, 'the station-signed value travels in the receipt');
      assert.match(receipt.signedMeterValues[0]!, /OCMF/);
      assert.equal(receipt.transaction?.endMeter, cp.meter);

      // After the session the idTag leaves the charger's list and ours.
      await eventually(() => !cp.list.has(alice.idTag));
      const state = await gw.service.state(station);
      assert.equal(state?.authList[alice.idTag], undefined);
      assert.deepEqual(state?.sessions, {});
      const stored = await gw.store.sessions.ofConsumer(alice.hex.slice(2));
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.state, 'stopped');
      assert.equal(stored[0]?.stoppedBy, 'consumer');
      assert.equal(stored[0]?.receipt?.totalAmount, receipt.totalAmount);
      // Asked after the end, status shows the finished session with its receipt.
      const after = await gw.bridge.status({ station, consumerKey: alice.ss58 });
      assert.equal(after?.session.state, 'stopped');
      assert.equal(after?.session.receipt?.totalAmount, receipt.totalAmount);
      await cp.close();
    });

    it('refuses an unknown connector, an occupied connector and a start without authorization', async () => {
      const cp = await charger('BUSY');
      const [bob, carol] = [newConsumer(), newConsumer()];
      const station = cp.identity;
      await rejectsWith(gw.bridge.start({ station, connectorId: 1, consumerKey: bob.hex }), 'NotAuthorized');
      await gw.bridge.authorize({ station, consumerKey: bob.hex });
      await rejectsWith(gw.bridge.start({ station, connectorId: 7, consumerKey: bob.hex }), 'UnknownConnector');
      await rejectsWith(gw.bridge.start({ station, connectorId: 0, consumerKey: bob.hex }), 'UnknownConnector');
      await gw.bridge.start({ station, connectorId: 1, consumerKey: bob.hex });
      await gw.bridge.authorize({ station, consumerKey: carol.hex });
      await rejectsWith(gw.bridge.start({ station, connectorId: 1, consumerKey: carol.hex }), 'ConnectorBusy', /in use/);
      assert.deepEqual(await gw.bridge.checkAvailability({ station, connectorId: 2 }), { available: true });
      assert.equal((await gw.bridge.checkAvailability({ station, connectorId: 1 })).available, false);
      // Carol takes connector 2 instead; Bob may not stop Carol's session, nor Carol Bob's.
      await gw.bridge.start({ station, connectorId: 2, consumerKey: carol.hex });
      await rejectsWith(gw.bridge.stop({ station, connectorId: 2, consumerKey: bob.hex }), 'NotYourSession');
      await rejectsWith(gw.bridge.stop({ station, connectorId: 1, consumerKey: carol.hex }), 'NotYourSession');
      await rejectsWith(gw.bridge.stop({ station, connectorId: 1, consumerKey: 'not-a-key' }), 'InvalidRequest');
      await gw.bridge.stop({ station, connectorId: 1, consumerKey: bob.hex });
      await gw.bridge.stop({ station, connectorId: 2, consumerKey: carol.hex });
      await cp.close();
    });

    it('refuses an offline or unknown charger', async () => {
      const cp = await charger('GONE');
      await cp.close();
      await eventually(() => !gw.commands.isConnected(cp.identity));
      await rejectsWith(gw.bridge.authorize({ station: cp.identity, consumerKey: newConsumer().hex }), 'StationOffline');
      await rejectsWith(gw.bridge.authorize({ station: 'NEVER-SEEN', consumerKey: newConsumer().hex }), 'UnknownStation');
      assert.equal((await gw.bridge.checkAvailability({ station: cp.identity, connectorId: 1 })).reason, `station ${cp.identity} is offline`);
    });

    it('fails the session when the charger rejects the remote start, or never starts', async () => {
      const cp = await charger('REJECT');
      const dave = newConsumer();
      const station = cp.identity;
      await gw.bridge.authorize({ station, consumerKey: dave.hex });
      cp.behaviour.rejectRemoteStart = true;
      await rejectsWith(gw.bridge.start({ station, connectorId: 1, consumerKey: dave.hex }), 'Refused', /rejected/);
      await eventually(() => !cp.list.has(dave.idTag));
      const [failed] = await gw.store.sessions.ofConsumer(dave.hex.slice(2));
      assert.equal(failed?.state, 'failed');
      assert.match(failed!.reason, /rejected/);

      cp.behaviour.rejectRemoteStart = false;
      cp.behaviour.neverStart = true;
      await gw.bridge.authorize({ station, consumerKey: dave.hex });
      await rejectsWith(gw.bridge.start({ station, connectorId: 1, consumerKey: dave.hex }), 'Timeout', /did not start a transaction/);
      assert.equal((await gw.service.state(station))?.authList[dave.idTag], undefined);
      await cp.close();
    });

    it('a cancel that meets a start gives way: the session is either cancelled or started, never cancelled while it starts', async () => {
      const cp = await charger('CANCEL-RACE');
      const erin = newConsumer();
      const station = cp.identity;
      await gw.bridge.authorize({ station, consumerKey: erin.hex });
      const [start, cancel] = await Promise.allSettled([
        gw.bridge.start({ station, connectorId: 1, consumerKey: erin.hex }),
        gw.bridge.cancel({ station, consumerKey: erin.hex }),
      ]);
      if (start.status === 'fulfilled') {
        assert.equal(cancel.status, 'rejected', 'a started session was not cancelled');
        assert.equal((cancel as PromiseRejectedResult).reason.code, 'Conflict');
        await eventually(() => cp.open.size === 1); // the charger has the answer to its start
        const receipt = await gw.bridge.stop({ station, connectorId: 1, consumerKey: erin.hex });
        assert.equal(receipt.sessionId, start.value.session.id, 'the started session ends with its receipt');
      } else {
        assert.equal(cancel.status, 'fulfilled');
        assert.equal((cancel as PromiseFulfilledResult<any>).value?.state, 'failed');
      }
      await eventually(() => cp.open.size === 0, 5_000, 'a transaction runs without its session');
      await eventually(async () => Object.keys((await gw.service.state(station))!.sessions).length === 0);
      await cp.close();
    });

    it('sends the full list after a VersionMismatch, split by the charger maximum', async () => {
      const cp = await charger('RESYNC');
      cp.behaviour.maxLength = 2;
      const station = cp.identity;
      const consumers = [newConsumer(), newConsumer(), newConsumer()];
      for (const c of consumers.slice(0, 2)) await gw.bridge.authorize({ station, consumerKey: c.hex });
      cp.behaviour.versionMismatchOnce = true;
      const before = cp.listUpdates.length;
      await gw.bridge.authorize({ station, consumerKey: consumers[2]!.hex });
      const resync = cp.listUpdates.slice(before);
      assert.deepEqual(resync.map((u) => [u.updateType, u.entries.length]), [['Full', 2], ['Differential', 1]]);
      assert.deepEqual([...cp.list.keys()].sort(), consumers.map((c) => c.idTag).sort());
      assert.equal((await gw.service.state(station))?.currentAuthListVersion, cp.listVersion);
      await cp.close();
    });

    it('ends the session the same way when the charger stops locally', async () => {
      const cp = await charger('LOCAL');
      const erin = newConsumer();
      const station = cp.identity;
      await gw.bridge.authorize({ station, consumerKey: erin.hex });
      await gw.bridge.start({ station, connectorId: 1, consumerKey: erin.hex });
      await cp.meterValues(1, 4_000);
      await cp.stopTransaction(1, 'EVDisconnected');
      const [ended] = await eventually(() => gw.store.sessions.ofConsumer(erin.hex.slice(2)).then((s) => s.length ? s : undefined));
      assert.equal(ended?.state, 'stopped');
      assert.equal(ended?.stoppedBy, 'station');
      assert.equal(ended?.receipt?.energyWh, 4_000);
      assert.equal(ended?.receipt?.transaction?.stopReason, 'EVDisconnected');
      await eventually(() => !cp.list.has(erin.idTag));
      await rejectsWith(gw.bridge.stop({ station, connectorId: 1, consumerKey: erin.hex }), 'NoSession');
      await cp.close();
    });

    it('keeps the session charging when the charger rejects the remote stop', async () => {
      const cp = await charger('NOSTOP');
      const frank = newConsumer();
      const station = cp.identity;
      await gw.bridge.authorize({ station, consumerKey: frank.hex });
      await gw.bridge.start({ station, connectorId: 1, consumerKey: frank.hex });
      cp.behaviour.rejectRemoteStop = true;
      await rejectsWith(gw.bridge.stop({ station, connectorId: 1, consumerKey: frank.hex }), 'Refused');
      const status = await gw.bridge.status({ station, consumerKey: frank.hex });
      assert.equal(status?.session.state, 'charging');
      assert.match(status!.session.reason, /rejected/);
      cp.behaviour.rejectRemoteStop = false;
      const receipt = await gw.bridge.stop({ station, connectorId: 1, consumerKey: frank.hex });
      assert.equal(receipt.energyWh, 0);
      await cp.close();
    });

    it('passes operator commands on and reports an offline station clearly', async () => {
      const cp = await charger('CMD');
      const station = cp.identity;
      assert.equal(await gw.operator.trigger(station, 'Heartbeat'), 'Accepted');
      assert.equal(await gw.operator.unlock(station, 1), 'Unlocked');
      assert.equal(await gw.operator.changeAvailability(station, 2, false), 'Accepted');
      assert.deepEqual(cp.commands, ['TriggerMessage:Heartbeat', 'UnlockConnector:1', 'ChangeAvailability:Inoperative']);
      await cp.close();
      await eventually(() => !gw.commands.isConnected(station));
      await rejectsWith(gw.operator.unlock(station, 1), 'StationOffline');
    });

    it('keeps a charging session across a gateway restart and stops it afterwards', async () => {
      const dataDir = gw.config.dataDir;
      let cp = await charger('RESTART');
      const hank = newConsumer();
      const station = cp.identity;
      await gw.bridge.authorize({ station, consumerKey: hank.hex });
      const { transaction } = await gw.bridge.start({ station, connectorId: 1, consumerKey: hank.hex });
      const open = await cp.transactionOn(1);
      const meter = cp.meter;
      await cp.close();
      await gw.stop();
      gw = await startTestGateway({ sessions: { startTimeoutSec: 1, stopTimeoutSec: 2 } }, dataDir);
      cp = await Charger.connect(gw.url, station, version);
      cp.open.set(1, open);
      cp.meter = meter;
      cp.list.set(hank.idTag, { status: 'Accepted' });
      assert.equal((await gw.bridge.status({ station, consumerKey: hank.hex }))?.session.state, 'charging');
      await cp.meterValues(1, 1_000);
      const receipt = await gw.bridge.stop({ station, connectorId: 1, consumerKey: hank.hex });
      assert.equal(receipt.transaction?.id, transaction.id);
      assert.equal(receipt.energyWh, 1_000);
      await cp.close();
    });

    it('reconciles the list after a reconnect when the charger lost it', async () => {
      let cp = await charger('RECON');
      const gina = newConsumer();
      const station = cp.identity;
      await gw.bridge.authorize({ station, consumerKey: gina.hex });
      await cp.close();
      // The charger comes back with an empty list (e.g. after a factory reset).
      cp = await Charger.connect(gw.url, station, version);
      await eventually(() => cp.list.has(gina.idTag), 5000, 'the full list was not sent after reconnecting');
      assert.equal(cp.listUpdates.at(-1)?.updateType, 'Full');
      await cp.close();
    });
  });
}
