// A consumer reserves a connector over libp2p (issue #18): a signed ReserveRequest from a wallet
// peer to the gateway running as its own process, a ReserveNow for the consumer's idTag on
// ocpp-rpc chargers (strict mode) of both versions, and only that consumer can start there
// until it does, gives up, or the reservation expires.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { ConsumerError } from '../../src/consumer/errors.ts';
import { ed25519Signer } from '../../src/consumer/signer.ts';
import { adminApi } from '../helpers/admin.ts';
import { Charger } from '../helpers/charger.ts';
import { runCli } from '../helpers/cli.ts';
import { MovableClock } from '../helpers/clock.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
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
      // Two wallets share one peer here, and the tests poll. No chain here: reservations allowed without a deposit.
      CGW_P2P_REQUESTS_PER_SECOND: '100', CGW_P2P_REQUEST_BURST: '200', CGW_SESSIONS_RESERVATIONS_WITHOUT_DEPOSIT: 'true',
    });
    alice = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer(), timeoutMs: 20_000 });
    bob = alice.as(ed25519Signer());
  });
  after(async () => {
    for (const c of chargers) await c.close();
    await alice?.close();
    await gateway?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
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
      const booked = await api('POST', `/api/stations/${station}/reservations`, { connectorId: 1, idTag: 'CARD-OVER', minutes: 5 });
      assert.deepEqual([booked.status, booked.body.code], [409, 'ConnectorReserved'], 'the operator cannot book over it (seen: both held the connector, and the consumer could not start)');
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

describe('consumer reservations in one node (a clock moved by the test, a charger that answers slowly)', () => {
  let gw: TestGateway;
  let clock: MovableClock;
  const chargers: Charger[] = [];
  before(async () => {
    clock = new MovableClock();
    gw = await startTestGateway({ stations: { configuration: { readOnConnect: false } }, sessions: { maxReservationMinutes: 10, reservationsWithoutDeposit: true } }, undefined, clock);
  });
  after(async () => {
    for (const c of chargers) await c.close();
    await gw.cleanup();
  });
  async function charger(identity: string): Promise<Charger> {
    const c = await Charger.connect(gw.url, identity, 'ocpp1.6');
    chargers.push(c);
    for (const n of [1, 2]) await c.status(n, 'Available');
    return c;
  }
  const owed = async (identity: string) => (await gw.service.state(identity))!.reservationsToCancel;

  it('ends with its session when it expires unused: the connector is freed on the station and for others; the default is the gateway\'s maximum when that is below 15 minutes', async () => {
    const cp = await charger('CRES-EXPIRY');
    const reserved = await gw.bridge.reserve({ station: 'CRES-EXPIRY', connectorId: 1, consumerKey: ed25519Signer().address });
    assert.ok(Math.abs(Date.parse(reserved.expiresAt) - clock.now().getTime() - 10 * 60_000) < 5_000, `10 minutes (seen: refused, "not 15"): ${reserved.expiresAt}`);
    assert.equal(await gw.bridge.sweep(['CRES-EXPIRY']), 0, 'not before its expiry');
    clock.advance(10 * 60_000 + 1_000);
    assert.equal(await gw.bridge.sweep(['CRES-EXPIRY']), 1);
    const state = await gw.service.state('CRES-EXPIRY');
    assert.deepEqual([state?.sessions[reserved.id], state?.reservations], [undefined, {}]);
    await eventually(() => cp.commands.includes(`CancelReservation:${reserved.reservationId}`), 5_000, 'the station is told, in case it still holds it');
    await eventually(async () => (await owed('CRES-EXPIRY')).length === 0, 5_000, 'nothing owed once it answered');
    assert.deepEqual(await gw.bridge.checkAvailability({ station: 'CRES-EXPIRY', connectorId: 1 }), { available: true });
  });

  it('makes a cancel sent while the station is still answering ReserveNow wait for it, so the station is left holding nothing (seen: reserved, then cancelled too early, then accepted)', async () => {
    const cp = await charger('CRES-RACE');
    cp.behaviour.reserveDelayMs = 500;
    const consumerKey = ed25519Signer().address;
    const reserving = gw.bridge.reserve({ station: 'CRES-RACE', connectorId: 1, consumerKey, minutes: 5 });
    await new Promise((r) => setTimeout(r, 150));
    const cancelled = await gw.bridge.cancel({ station: 'CRES-RACE', consumerKey });
    const reserved = await reserving;
    assert.equal(cancelled?.state, 'failed');
    assert.equal(cancelled?.id, reserved.id);
    await eventually(() => cp.commands.includes(`CancelReservation:${reserved.reservationId}`), 5_000);
    assert.deepEqual(cp.commands.filter((c) => /Reserv/.test(c)), [`ReserveNow:1:${reserved.idTag}`, `CancelReservation:${reserved.reservationId}`], 'the cancel after the reservation');
    assert.equal(cp.reserved.size, 0, 'the station holds nothing');
  });

  it('cancels on the station once it is back, when it was offline at the cancel (seen: the connector stayed reserved there)', async () => {
    const cp = await charger('CRES-OFFLINE');
    const consumerKey = ed25519Signer().address;
    const reserved = await gw.bridge.reserve({ station: 'CRES-OFFLINE', connectorId: 2, consumerKey, minutes: 5 });
    await cp.close();
    await eventually(() => !gw.commands.isConnected('CRES-OFFLINE'), 5_000);
    await gw.bridge.cancel({ station: 'CRES-OFFLINE', consumerKey });
    assert.deepEqual(await owed('CRES-OFFLINE'), [reserved.reservationId], 'kept with the station until it answers');
    const back = await Charger.connect(gw.url, 'CRES-OFFLINE', 'ocpp1.6');
    chargers.push(back);
    await eventually(() => back.commands.includes(`CancelReservation:${reserved.reservationId}`), 10_000, 'sent once the station is back');
    await eventually(async () => (await owed('CRES-OFFLINE')).length === 0, 5_000);
  });

  it('cancels the reserved connector when the station starts the consumer on another one', async () => {
    const cp = await charger('CRES-ELSEWHERE');
    const consumerKey = ed25519Signer().address;
    const reserved = await gw.bridge.reserve({ station: 'CRES-ELSEWHERE', connectorId: 1, consumerKey, minutes: 5 });
    // The driver plugs into connector 2 and the station starts there by itself.
    await cp.startTransaction(2, reserved.idTag);
    await eventually(() => cp.commands.includes(`CancelReservation:${reserved.reservationId}`), 5_000, 'connector 1 freed on the station');
    assert.equal(cp.reserved.size, 0);
    const state = await gw.service.state('CRES-ELSEWHERE');
    assert.equal(state?.sessions[reserved.id]?.state, 'charging');
    assert.equal(state?.sessions[reserved.id]?.connectorId, 2);
  });

  it('refuses reservations without a chain unless the operator allows them', async () => {
    const plain = await startTestGateway({ stations: { configuration: { readOnConnect: false } } });
    const cp = await Charger.connect(plain.url, 'CRES-NOCHAIN', 'ocpp1.6');
    try {
      await cp.status(1, 'Available');
      await assert.rejects(plain.bridge.reserve({ station: 'CRES-NOCHAIN', connectorId: 1, consumerKey: ed25519Signer().address }), (err: any) => err.code === 'NotOffered' && /reservationsWithoutDeposit/.test(err.message));
      assert.equal(cp.commands.filter((c) => c.startsWith('ReserveNow')).length, 0);
    } finally {
      await cp.close();
      await plain.cleanup();
    }
  });
});
