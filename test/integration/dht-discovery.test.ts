// Finding the gateway that serves a charge point through the DHT: three gateway processes form
// the DHT; the wallet knows only the station identity and one bootstrap peer.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { sr25519Signer } from '../../src/consumer/signer.ts';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

describe('station discovery through the kad-DHT', () => {
  const dirs: string[] = [];
  const gateways: GatewayProcess[] = [];
  let charger: Charger;
  const start = async (bootstrap: string[]) => {
    const dir = tempDir('cgw-dht-');
    dirs.push(dir);
    const g = await spawnGateway({
      CGW_DATA_DIR: dir, CGW_P2P_DHT_PRIVATE_ADDRESSES: 'true', CGW_P2P_DHT_ANNOUNCE_INTERVAL_SEC: '10',
      CGW_P2P_BOOTSTRAP: JSON.stringify(bootstrap),
    });
    gateways.push(g);
    return g;
  };
  before(async () => {
    const b = await start([]);
    const c = await start([b.p2p[0]!]);
    const a = await start([b.p2p[0]!, c.p2p[0]!]);
    charger = await Charger.connect(a.ocppUrl, 'DHT-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
  });
  after(async () => {
    await charger?.close();
    for (const g of gateways) await g.kill('SIGTERM');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('finds the gateway of a station from another gateway and charges there', async () => {
    const [b, , a] = gateways;
    const signer = await sr25519Signer();
    // The announcement reaches the DHT within an announce interval.
    const client = await eventually(
      () => ConsumerClient.connect({ station: 'DHT-CP', bootstrap: [b!.p2p[0]!], dhtPrivateAddresses: true, signer }).catch(() => undefined),
      30_000,
      'the station was never found on the DHT',
    );
    assert.equal(client.gatewayPeer, a!.peerId, 'the gateway that serves the station, not the bootstrap peer');
    assert.match(await client.authorize('DHT-CP'), /authorized/);
    await client.close();
    await assert.rejects(
      ConsumerClient.connect({ station: 'NO-SUCH-CP', bootstrap: [b!.p2p[0]!], dhtPrivateAddresses: true, signer }),
      (err: any) => err.code === 'UnknownStation' || /aborted|timed out/i.test(err.message),
    );
  });
});
