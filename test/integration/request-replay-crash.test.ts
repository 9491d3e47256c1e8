// A consumer's start or stop acts (the station is asked) only once its request nonce is durable:
// the gateway killed with kill -9 the moment the station is asked, the same signed request sent
// again after the restart is a replay, and the station is asked once. The nonce of a start or a
// stop is written in the batch of the session change it makes first (RequestClaim), so this is
// what shows that batch is written before the station is asked.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { sr25519Signer, type ConsumerSigner } from '../../src/consumer/signer.ts';
import { codecFor } from '../../src/proto/codec.ts';
import type { Cgw_Request as Request } from '../../src/proto/types.ts';
import { DOMAIN, seal } from '../../src/p2p/envelope.ts';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';

const requestCodec = codecFor('cgw.Request');

describe('a start or stop replayed after a kill -9 the moment the station was asked', () => {
  const dataDir = tempDir('cgw-replay-crash-');
  const env = { CGW_DATA_DIR: dataDir };
  let gateway: GatewayProcess;
  let charger: Charger | undefined;
  after(async () => {
    await charger?.close();
    await gateway?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Sends `body` signed by `wallet`, kills the gateway when the station receives `remoteAction`,
   * restarts it, and sends the very same envelope again: returns that answer's code and how many
   * times the station was asked.
   */
  async function replayedAfterKill(wallet: ConsumerSigner, station: string, remoteAction: string, body: Request): Promise<{ code: string; asked: number }> {
    let asked = 0;
    let reached!: () => void;
    const stationAsked = new Promise<void>((resolve) => { reached = resolve; });
    charger!.client.handle(remoteAction, () => { asked++; reached(); return { status: 'Accepted' }; });
    const nonce = randomBytes(16);
    const envelope = await seal(wallet, { domain: DOMAIN.request, nonce, payload: requestCodec.encode(body) });
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet, timeoutMs: 60_000 });
    try {
      const first = client.send(envelope, nonce).catch(() => undefined);
      await stationAsked;
      await gateway.kill('SIGKILL');
      await first;
    } finally {
      await client.close().catch(() => {});
    }
    const open = await charger!.transactionOn(1).catch(() => undefined);
    await charger!.close();
    gateway = await spawnGateway(env);
    charger = await Charger.connect(gateway.ocppUrl, station, 'ocpp1.6');
    if (open) charger.open.set(1, open);
    charger.client.handle(remoteAction, () => { asked++; return { status: 'Accepted' }; });
    const again = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet, timeoutMs: 30_000 });
    try {
      const code = await again.send(envelope, nonce).then(() => 'accepted', (err: { code?: string }) => err.code ?? String(err));
      return { code, asked };
    } finally {
      await again.close();
    }
  }

  it('a start: Replayed, and one RemoteStartTransaction', async () => {
    gateway = await spawnGateway(env);
    charger = await Charger.connect(gateway.ocppUrl, 'RC-START', 'ocpp1.6');
    await charger.status(1, 'Available');
    const wallet = await sr25519Signer();
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    await client.authorize('RC-START').finally(() => client.close());
    const start = { event: { eventId: 'START_TRANSACTION_REQUEST' as const, startTransactionRequestData: { chargePointClientId: 'RC-START', connectorId: 1, consumerPublicKey: wallet.address } } };
    assert.deepEqual(await replayedAfterKill(wallet, 'RC-START', 'RemoteStartTransaction', start), { code: 'Replayed', asked: 1 });
  });

  it('a stop: Replayed, and one RemoteStopTransaction', async () => {
    await charger?.close();
    charger = await Charger.connect(gateway.ocppUrl, 'RC-STOP', 'ocpp1.6');
    await charger.status(1, 'Available');
    const wallet = await sr25519Signer();
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    try {
      await client.authorize('RC-STOP');
      await client.start('RC-STOP', 1);
    } finally {
      await client.close();
    }
    const stop = { event: { eventId: 'STOP_TRANSACTION_REQUEST' as const, stopTransactionRequestData: { chargePointClientId: 'RC-STOP', connectorId: 1, consumerPublicKey: wallet.address } } };
    assert.deepEqual(await replayedAfterKill(wallet, 'RC-STOP', 'RemoteStopTransaction', stop), { code: 'Replayed', asked: 1 });
  });
});
