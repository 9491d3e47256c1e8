// A consumer reserves a connector over libp2p (issue #18): a signed ReserveRequest from a wallet
// peer to the gateway running as its own process, a ReserveNow for the consumer's idTag on
// ocpp-rpc chargers (strict mode) of both versions, and only that consumer can start there
// until it does, gives up, or the reservation expires.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { ConsumerError } from '../../src/consumer/errors.ts';
import { ed25519Signer } from '../../src/consumer/signer.ts';
import { adminApi } from '../helpers/admin.ts';
import { Charger } from '../helpers/charger.ts';
import { runCli } from '../helpers/cli.ts';
import { MovableClock } from '../helpers/clock.ts';
import { startTestGateway, tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const refusedWith = (promise: Promise<unknown>, code: string, pattern?: RegExp) => assert.rejects(promise, (err: unknown) => {
  assert.ok(err instanceof ConsumerError, String(err));
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return true;
});

describe('consumer reservations over libp2p', () => {
  let gateway: GatewayProcess;
  let dir: string;
  let alice: ConsumerClient;
  let bob: ConsumerClient;
  const chargers: Charger[] = [];
  const api = adminApi(() => gateway.admin, () => `${dir}/data`);

  before(async () => {
    dir = tempDir('cgw-consumer-reservations-');
    gateway = await spawnGateway({ CGW_DATA_DIR: `${dir}/data`, CGW_SESSIONS_MAX_RESERVATION_MINUTES: '30', CGW_STATIONS_CONFIGURATION_READ_ON_CONNECT: 'false',
      // Two wallets share one peer here, and the tests poll.
      CGW_P2P_REQUESTS_PER_SECOND: '100', CGW_P2P_REQUEST_BURST: '200',
    });
    alice = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer(), timeoutMs: 20_000 });
    bob = alice.as(ed25519Signer());
  });
  after(async () => {
    for (const c of chargers) await c.close();
    await alice?.close();
    await gateway?.kill('SIGTERM');
  });

  async function charger(identity: string, version: 'ocpp1.6' | 'ocpp2.0.1'): Promise<Charger> {
    const c = await Charger.connect(gateway.ocppUrl, identity, version);
    chargers.push(c);
    for (const n of [1, 2]) await c.status(n, 'Available');
    return c;
  }

  for (const version of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    it(`${version}: holds the connector for the consumer alone until it starts there; the start uses the reservation`, async () => {
      const station = `CRES-${version === 'ocpp1.6' ? '16' : '201'}`;
      const cp = await charger(station, version);
      const reserved = await alice.reserve(station, 1, { minutes: 10 });
      assert.deepEqual([reserved.state, reserved.connectorId, reserved.station], ['authorized', 1, station]);
      assert.ok(Math.abs(Date.parse(reserved.expiresAt) - Date.now() - 10 * 60_000) < 60_000, reserved.expiresAt);
      assert.deepEqual(cp.reserved.get(1), { id: reserved.reservationId, idTag: reserved.idTag }, 'the charger holds it for the consumer\'s idTag');
      assert.equal(cp.list.get(reserved.idTag)?.status, 'Accepted', 'and has the idTag on its list');
      const listed = (await api('GET', `/api/stations/${station}/reservations`)).body;
      assert.deepEqual(listed.map((r: any) => [r.id, r.idTag, r.sessionId]), [[reserved.reservationId, reserved.idTag, reserved.id]], 'the operator sees whose it is');
      await eventually(async () => (await bob.checkAvailability(station, 1)).reason.includes('reserved'), 5_000, 'the connector shows reserved');

      // Another consumer cannot take it, by reserving or by starting; the other connector is free.
      await refusedWith(bob.reserve(station, 1), 'ConnectorReserved', new RegExp(`connector 1 of ${station} is reserved until`));
      await bob.authorize(station);
      await refusedWith(bob.start(station, 1), 'ConnectorReserved');
      assert.equal((await bob.cancel(station))?.state, 'failed');
      // Asked again (a wallet retrying), it is the same reservation; another connector is refused (one at a time).
      assert.equal((await alice.reserve(station, 1)).id, reserved.id);
      await refusedWith(alice.reserve(station, 2), 'Conflict', /cancel it before reserving/);

      assert.match(await alice.start(station, 1), /started/);
      assert.equal(cp.reserved.size, 0, 'the charger used the reservation');
      assert.deepEqual((await api('GET', `/api/stations/${station}/reservations`)).body, []);
      await cp.meterValues(1, 1_500);
      const receipt = await alice.stop(station, 1);
      assert.equal(receipt.energyWh, 1_500);
      assert.equal((await alice.checkAvailability(station, 1)).available, true);
    });
  }

  it('gives a reservation up on the station when the consumer cancels, and keeps nothing the station refused', async () => {
    const cp = await charger('CRES-CANCEL', 'ocpp1.6');
    const reserved = await alice.reserve('CRES-CANCEL', 2, { minutes: 5 });
    const cancelled = await alice.cancel('CRES-CANCEL');
    assert.equal(cancelled?.state, 'failed');
    await eventually(() => cp.commands.includes(`CancelReservation:${reserved.reservationId}`), 5_000, 'CancelReservation sent');
    assert.equal(cp.reserved.size, 0);
    await eventually(async () => (await bob.checkAvailability('CRES-CANCEL', 2)).available, 5_000, 'free again');
    assert.equal((await bob.reserve('CRES-CANCEL', 2)).connectorId, 2, 'another consumer can have it now');
    await bob.cancel('CRES-CANCEL');

    cp.behaviour.rejectReservation = true;
    await refusedWith(alice.reserve('CRES-CANCEL', 1), 'Refused', /answered ReserveNow with Rejected/);
    assert.equal((await alice.status('CRES-CANCEL')).session?.state, 'failed', 'no session left waiting');
    assert.deepEqual((await api('GET', '/api/stations/CRES-CANCEL/reservations')).body, []);
    assert.ok(!cp.commands.includes('CancelReservation:0'));
    cp.behaviour.rejectReservation = false;
    assert.equal((await alice.authorize('CRES-CANCEL')).includes('authorized'), true, 'the consumer can authorize as usual');
    await alice.cancel('CRES-CANCEL');
  });

  it('reserves and gives up from the consumer CLI', async () => {
    const cp = await charger('CRES-CLI', 'ocpp1.6');
    const args = ['--gateway', gateway.p2p[0]!, '--seed', '//Charlie', '--scheme', 'ed25519'];
    const made = await runCli({}, 'consumer', 'reserve', 'CRES-CLI', '2', '--minutes', '7', ...args);
    assert.equal(made.status, 0, made.output);
    const { reserved } = JSON.parse(made.stdout);
    assert.deepEqual([reserved.station, reserved.connector, cp.reserved.get(2)?.id], ['CRES-CLI', 2, reserved.reservationId]);
    assert.ok(Math.abs(Date.parse(reserved.until) - Date.now() - 7 * 60_000) < 60_000);
    const gone = await runCli({}, 'consumer', 'cancel', 'CRES-CLI', ...args);
    assert.deepEqual(JSON.parse(gone.stdout), { cancelled: true, session: reserved.session });
    const bad = await runCli({}, 'consumer', 'reserve', 'CRES-CLI', '2', '--minutes', 'soon', ...args);
    assert.notEqual(bad.status, 0);
    assert.match(bad.output, /--minutes is a whole number of minutes/);
  });

  it('refuses a reservation without a connector, longer than the gateway allows, or on an unknown station', async () => {
    await charger('CRES-BAD', 'ocpp2.0.1');
    await refusedWith(alice.reserve('CRES-BAD', 0), 'InvalidRequest', /names a connector/);
    await refusedWith(alice.reserve('CRES-BAD', 1, { minutes: 31 }), 'InvalidRequest', /1 to 30 minutes/);
    await refusedWith(alice.reserve('CRES-BAD', 9), 'UnknownConnector');
    await refusedWith(alice.reserve('NO-SUCH-STATION', 1), 'UnknownStation');
  });
});

describe('a consumer reservation that expires unused', () => {
  it('ends with its session: the connector is freed on the station and for others', async () => {
    const clock = new MovableClock();
    const gw = await startTestGateway({ stations: { configuration: { readOnConnect: false } } }, undefined, clock);
    const cp = await Charger.connect(gw.url, 'CRES-EXPIRY', 'ocpp2.0.1');
    try {
      await cp.status(1, 'Available');
      const consumer = ed25519Signer().address;
      const reserved = await gw.bridge.reserve({ station: 'CRES-EXPIRY', connectorId: 1, consumerKey: consumer, minutes: 5 });
      assert.equal(await gw.bridge.sweep(['CRES-EXPIRY']), 0, 'not before its expiry');
      clock.advance(5 * 60_000 + 1_000);
      assert.equal(await gw.bridge.sweep(['CRES-EXPIRY']), 1);
      const state = await gw.service.state('CRES-EXPIRY');
      assert.deepEqual([state?.sessions[reserved.id], state?.reservations], [undefined, {}]);
      await eventually(() => cp.commands.includes(`CancelReservation:${reserved.reservationId}`), 5_000, 'the station is told, in case it still holds it');
      assert.deepEqual(await gw.bridge.checkAvailability({ station: 'CRES-EXPIRY', connectorId: 1 }), { available: true });
    } finally {
      await cp.close();
      await gw.cleanup();
    }
  });
});
