// Reservations (issue #18): an operator holds a connector for a card with ReserveNow in the
// station's version; kept when accepted, gone when cancelled, used by a start, or (2.0.1)
// reported expired by the station. The stations are ocpp-rpc clients in strict mode.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { adminApi } from '../helpers/admin.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

async function station(url: string, identity: string, version: 'ocpp1.6' | 'ocpp2.0.1') {
  const client = await connectRpcClient(url, identity, version);
  const requests: { action: string; params: any }[] = [];
  let answer = 'Accepted';
  for (const action of ['ReserveNow', 'CancelReservation']) {
    client.handle(action, ({ params }: { params: any }) => {
      requests.push({ action, params });
      return { status: action === 'ReserveNow' ? answer : 'Accepted' };
    });
  }
  client.handle('GetLocalListVersion', () => (version === 'ocpp1.6' ? { listVersion: 0 } : { versionNumber: 0 }));
  await client.call('BootNotification', version === 'ocpp1.6' ? BOOT_16 : BOOT_201);
  const status = version === 'ocpp1.6'
    ? { connectorId: 1, errorCode: 'NoError', status: 'Available' }
    : { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 };
  await client.call('StatusNotification', status);
  return { client, requests, answerWith: (s: string) => { answer = s; } };
}

describe('reservations', () => {
  let gw: TestGateway;
  let cp16: Awaited<ReturnType<typeof station>>;
  let cp201: Awaited<ReturnType<typeof station>>;
  const api = adminApi(() => `http://127.0.0.1:${gw.adminPort}`, () => gw.config.dataDir);

  before(async () => {
    gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true }, stations: { configuration: { readOnConnect: false } } });
    cp16 = await station(gw.url, 'RES-16', 'ocpp1.6');
    cp201 = await station(gw.url, 'RES-201', 'ocpp2.0.1');
  });
  after(async () => {
    await cp16.client.close();
    await cp201.client.close();
    await gw.cleanup();
  });

  it('reserves in each station\'s version and keeps what the station accepted until a start uses it (1.6)', async () => {
    const made = await api('POST', '/api/stations/RES-16/reservations', { connectorId: 1, idTag: 'RFID0042', minutes: 15 });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { reservation } = made.body;
    const sent = cp16.requests.at(-1)!;
    assert.deepEqual([sent.action, sent.params.connectorId, sent.params.idTag, sent.params.reservationId, sent.params.expiryDate], ['ReserveNow', 1, 'RFID0042', reservation.id, reservation.expiryDate]);
    assert.ok(Math.abs(Date.parse(reservation.expiryDate) - Date.now() - 15 * 60_000) < 60_000);
    assert.deepEqual((await api('GET', '/api/stations/RES-16/reservations')).body.map((r: any) => r.id), [reservation.id]);
    // The card arrives and the station starts with the reservation: it is used up.
    await cp16.client.call('StartTransaction', { connectorId: 1, idTag: 'RFID0042', meterStart: 0, timestamp: new Date().toISOString(), reservationId: reservation.id });
    assert.deepEqual((await api('GET', '/api/stations/RES-16/reservations')).body, []);
  });

  it('reserves an EVSE in 2.0.1 with a card token, and forgets a reservation the station reports expired', async () => {
    const made = await api('POST', '/api/stations/RES-201/reservations', { connectorId: 1, idTag: 'RFID0043' });
    assert.equal(made.status, 201);
    const sent = cp201.requests.at(-1)!.params;
    assert.deepEqual([sent.id, sent.evseId, sent.idToken], [made.body.reservation.id, 1, { idToken: 'RFID0043', type: 'ISO14443' }]);
    await cp201.client.call('ReservationStatusUpdate', { reservationId: made.body.reservation.id, reservationUpdateStatus: 'Expired' });
    assert.deepEqual((await api('GET', '/api/stations/RES-201/reservations')).body, []);
  });

  it('cancels one, keeps nothing the station refused, and says why', async () => {
    const made = await api('POST', '/api/stations/RES-201/reservations', { connectorId: 1, idTag: 'RFID0044', minutes: 5 });
    const cancelled = await api('DELETE', `/api/stations/RES-201/reservations/${made.body.reservation.id}`);
    assert.deepEqual([cancelled.status, cancelled.body.status], [200, 'Accepted']);
    assert.deepEqual(cp201.requests.at(-1), { action: 'CancelReservation', params: { reservationId: made.body.reservation.id } });
    assert.deepEqual((await api('GET', '/api/stations/RES-201/reservations')).body, []);

    cp16.answerWith('Occupied');
    const refused = await api('POST', '/api/stations/RES-16/reservations', { connectorId: 1, idTag: 'RFID0045' });
    assert.deepEqual([refused.status, refused.body.status], [409, 'Occupied']);
    assert.deepEqual((await api('GET', '/api/stations/RES-16/reservations')).body, [], 'nothing kept');
    cp16.answerWith('Accepted');

    assert.equal((await api('DELETE', '/api/stations/RES-16/reservations/12345')).status, 404);
    assert.equal((await api('POST', '/api/stations/RES-16/reservations', { connectorId: 9, idTag: 'RFID0046' })).status, 404, 'no such connector');
    assert.equal((await api('POST', '/api/stations/RES-16/reservations', { connectorId: 1, idTag: 'RFID0046', minutes: 0 })).body.field, 'minutes');
  });
});
