// Server pings find half-open sockets; 2.0.1 permessage-deflate is negotiated.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { BOOT_201, RawStation } from '../helpers/clients.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('keep-alive and compression', () => {
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway({ ocpp: { pingIntervalSec: 0.2 } }); });
  after(() => gw.cleanup());

  it('keeps a station that answers pings, and drops one that stopped answering', async () => {
    const alive = await RawStation.connect(`${gw.url}/ALIVE`, 'ocpp1.6');
    const silent = await RawStation.connect(`${gw.url}/SILENT`, 'ocpp1.6');
    // Stop reading the socket: pings go unanswered, as on a half-open TCP connection.
    (silent.ws as any)._socket.pause();
    const deadline = Date.now() + 5000;
    while (gw.ocpp.connection('SILENT') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(gw.ocpp.connection('SILENT'), undefined, 'the half-open socket was dropped');
    assert.ok(gw.ocpp.connection('ALIVE')?.isActive, 'the live one stays');
    alive.close();
    silent.ws.terminate();
  });

  it('pings each open connection once: a closed or replaced one leaves the keep-alive', async () => {
    const settled = async (n: number): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (gw.ocpp.keptAlive !== n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(gw.ocpp.keptAlive, n);
    };
    await settled(0); // the stations of the test before have gone
    const stations = await Promise.all(Array.from({ length: 6 }, (_, i) => RawStation.connect(`${gw.url}/KA-${i}`, 'ocpp1.6')));
    assert.equal(gw.ocpp.keptAlive, 6);
    const replacement = await RawStation.connect(`${gw.url}/KA-0`, 'ocpp1.6');
    await once(stations[0]!.ws, 'close');
    await settled(6); // the replaced connection left, its replacement came
    for (const station of stations.slice(1)) station.close();
    replacement.ws.terminate();
    await settled(0);
  });

  it('negotiates permessage-deflate and handles compressed frames', async () => {
    const st = await RawStation.connect(`${gw.url}/DEFLATE`, 'ocpp2.0.1', { perMessageDeflate: { threshold: 0 } });
    assert.match(st.ws.extensions, /permessage-deflate/);
    const reply = await st.call('c1', 'BootNotification', { ...BOOT_201, chargingStation: { ...BOOT_201.chargingStation, firmwareVersion: 'x'.repeat(40) } });
    assert.equal(reply[0], 3);
    st.close();
  });
});
