// Per-station limits over real sockets: a flooding station is slowed down (never dropped),
// a station that keeps sending invalid messages is cut off, and a client that opens a socket
// but never finishes its upgrade request does not keep it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { BOOT_16, RawStation } from '../helpers/clients.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const RATE = 50;
const BURST = 10;

describe('per-station limits', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ ocpp: { maxMessagesPerSecond: RATE, messageBurst: BURST, maxBadMessagesPerMinute: 5, handshakeTimeoutSec: 0.5 } });
  });
  after(() => gw.cleanup());

  it('slows a flooding station to its rate: every message is answered, in order; other stations are served meanwhile', async () => {
    const flood = new WebSocket(`${gw.url}/FLOOD`, 'ocpp1.6');
    await once(flood, 'open');
    flood.send(JSON.stringify([2, 'boot', 'BootNotification', BOOT_16]));
    await once(flood, 'message');
    const answers: unknown[][] = [];
    flood.on('message', (data) => answers.push(JSON.parse(data.toString()) as unknown[]));
    const COUNT = 200;
    const sentAt = Date.now();
    for (let i = 0; i < COUNT; i++) flood.send(JSON.stringify([2, `h${i}`, 'Heartbeat', {}]));

    await new Promise((r) => setTimeout(r, 1_000));
    const elapsed = (Date.now() - sentAt) / 1000;
    assert.ok(answers.length < COUNT, `still being paced after 1 s (${answers.length} of ${COUNT} answered)`);
    assert.ok(answers.length <= BURST + RATE * elapsed + 5, `${answers.length} answered in ${elapsed} s: no more than the burst plus the rate`);

    const calm = await RawStation.connect(`${gw.url}/CALM`, 'ocpp1.6');
    assert.equal((await calm.call('b', 'BootNotification', BOOT_16))[0], 3, 'another station is served during the flood');
    assert.ok(answers.length < COUNT, 'and before the flood was worked off');

    while (answers.length < COUNT) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(answers.map((a) => a[1]), Array.from({ length: COUNT }, (_, i) => `h${i}`), 'all answered, in the order sent');
    assert.ok(answers.every((a) => a[0] === 3));
    assert.ok(gw.ocpp.connection('FLOOD')?.isActive, 'a fast station is slowed, not disconnected');
    flood.close();
    calm.close();
  });

  it('disconnects a station past its bad-message limit (1008); a few bad messages are tolerated', async () => {
    const sloppy = await RawStation.connect(`${gw.url}/SLOPPY`, 'ocpp1.6');
    assert.equal((await sloppy.call('b', 'BootNotification', BOOT_16))[0], 3);
    for (let i = 0; i < 4; i++) {
      sloppy.ws.send('not json');
      assert.equal((await sloppy.next())[1], '-1', 'each is answered with a CALLERROR');
    }
    assert.equal((await sloppy.call('ok', 'Heartbeat', {}))[0], 3);
    assert.ok(gw.ocpp.connection('SLOPPY')?.isActive, 'four bad messages in a minute are within the limit');

    const hostile = await RawStation.connect(`${gw.url}/HOSTILE`, 'ocpp1.6');
    const closed = once(hostile.ws, 'close');
    for (let i = 0; i < 3; i++) hostile.ws.send('not json');
    hostile.send([2, 'u1', 'FlyToTheMoon', {}]);
    hostile.send([2, 'v1', 'BootNotification', { chargePointVendor: 42 }]);
    hostile.send([3, 'nobody-asked', {}]);
    const [code, reason] = (await closed) as [number, Buffer];
    assert.equal(code, 1008);
    assert.match(reason.toString(), /too many malformed or invalid messages/);
    assert.equal((await sloppy.call('still', 'Heartbeat', {}))[0], 3, 'the node keeps serving the others');
    sloppy.close();
  });

  it('drops a client that does not complete its upgrade request within the handshake timeout', async () => {
    const port = Number(new URL(gw.url).port);
    const slowloris = connect(port, '127.0.0.1');
    await once(slowloris, 'connect');
    slowloris.write('GET /ocpp/SLOW HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'); // and never the rest
    const silent = connect(port, '127.0.0.1'); // not a byte
    await once(silent, 'connect');
    const dropped = (socket: typeof silent) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('still open after 10 s')), 10_000);
      socket.on('close', () => { clearTimeout(timer); resolve(); });
      socket.on('error', () => {});
      socket.resume();
    });
    await Promise.all([dropped(slowloris), dropped(silent)]);
  });
});

describe('per-station rate and keep-alive together', () => {
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway({ ocpp: { maxMessagesPerSecond: 10, messageBurst: 1, pingIntervalSec: 0.2 } }); });
  after(() => gw.cleanup());

  it('does not take a station held to its rate for half-open (its pong waits behind its messages)', async () => {
    const station = await RawStation.connect(`${gw.url}/PATIENT`, 'ocpp1.6');
    assert.equal((await station.call('b', 'BootNotification', BOOT_16))[0], 3);
    const closed = once(station.ws, 'close').then(() => true);
    for (let i = 0; i < 30; i++) station.send([2, `h${i}`, 'Heartbeat', {}]);
    // 30 messages at 10/s: about 3 s of throttling, 15 ping intervals.
    for (let i = 0; i < 30; i++) {
      const answer = await Promise.race([station.next(10_000), closed]);
      assert.notEqual(answer, true, `dropped after ${i} answers`);
      assert.equal((answer as unknown[])[1], `h${i}`);
    }
    assert.ok(gw.ocpp.connection('PATIENT')?.isActive);
    station.close();
  });
});

describe('per-station rate, pings off', () => {
  let gw: TestGateway;
  // No pings: a dropped half-open socket would hide a close that never completes.
  before(async () => { gw = await startTestGateway({ ocpp: { maxMessagesPerSecond: 10, messageBurst: 1, pingIntervalSec: 0 } }); });
  after(() => gw.cleanup());

  it('closes a station held to its rate as soon as a new connection replaces it (its socket is read again for the close)', async () => {
    const old = await RawStation.connect(`${gw.url}/REPLACED`, 'ocpp1.6');
    assert.equal((await old.call('b', 'BootNotification', BOOT_16))[0], 3);
    // 20 messages at 10/s: its socket stops being read while it waits for its rate.
    for (let i = 0; i < 20; i++) old.send([2, `h${i}`, 'Heartbeat', {}]);
    await old.next(5_000);
    const closed = once(old.ws, 'close').then(() => 'closed' as const);
    const replacement = await RawStation.connect(`${gw.url}/REPLACED`, 'ocpp1.6');
    // Without reading the station's close reply the close waits for ws's 30 s timeout.
    const outcome = await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), 10_000))]);
    assert.equal(outcome, 'closed');
    assert.equal((await replacement.call('b2', 'BootNotification', BOOT_16))[0], 3);
    replacement.close();
  });
});

describe('many stations sending at once', () => {
  const PER_TURN = 3;
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway({ ocpp: { framesPerTurn: PER_TURN } }); });
  after(() => gw.cleanup());

  it(`answers every message of a burst, each station's in order, taking ${PER_TURN} per turn; a station that leaves mid-burst holds nobody up`, async () => {
    const STATIONS = 40;
    const EACH = 12; // beyond the frames a station may have waiting before its socket stops being read
    const statuses = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'Finishing'] as const;
    const stations = await Promise.all(Array.from({ length: STATIONS }, async (_, i) => {
      const st = await RawStation.connect(`${gw.url}/BURST-${i}`, 'ocpp1.6');
      assert.equal((await st.call('b', 'BootNotification', BOOT_16))[0], 3);
      return st;
    }));
    const leaver = await RawStation.connect(`${gw.url}/BURST-LEAVER`, 'ocpp1.6');
    assert.equal((await leaver.call('b', 'BootNotification', BOOT_16))[0], 3);
    const lastStatus = (i: number): string => statuses[(i + EACH - 1) % statuses.length]!;

    for (let n = 0; n < EACH; n++) {
      leaver.send([2, `l${n}`, 'Heartbeat', {}]);
      stations.forEach((st, i) => st.send([2, `s${n}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: statuses[(i + n) % statuses.length] }]));
    }
    leaver.ws.terminate();

    await Promise.all(stations.map(async (st, i) => {
      const ids: unknown[] = [];
      for (let n = 0; n < EACH; n++) {
        const answer = await st.next(10_000);
        assert.equal(answer[0], 3, `BURST-${i}: ${JSON.stringify(answer)}`);
        ids.push(answer[1]);
      }
      assert.deepEqual(ids, Array.from({ length: EACH }, (_, n) => `s${n}`), `BURST-${i}: answered in the order sent`);
    }));
    for (let i = 0; i < STATIONS; i++) {
      assert.equal((await gw.service.state(`BURST-${i}`))?.connectors[1]?.status, lastStatus(i), `BURST-${i} ends in the status it sent last`);
    }
    for (const st of stations) st.close();
  });
});
