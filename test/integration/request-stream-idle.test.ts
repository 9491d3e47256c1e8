// A wallet's requests stream that goes quiet is ended by the gateway (its own process): one on
// which nothing is sent, and one left with half a frame (an attacker's slow stream would
// otherwise hold the gateway's stream and its reader for as long as the connection lives).
// Until now only the 5-minute default existed, and no test saw it end a stream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { after, before, describe, it } from 'node:test';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { ed25519Signer } from '../../src/consumer/signer.ts';
import { REQUESTS_PROTOCOL } from '../../src/p2p/protocol.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';

describe('requests streams that go quiet (gateway in its own process)', () => {
  const dataDir = tempDir('cgw-stream-idle-');
  let gateway: GatewayProcess;
  let client: ConsumerClient;
  before(async () => {
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_REQUEST_STREAM_IDLE_SEC: '1' });
    client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
  });
  after(async () => {
    await client?.close();
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** How a read on the stream ends when the wallet waits up to 15 s: the gateway's end, or our own deadline. */
  async function endOf(prepare: (send: (bytes: Uint8Array) => void) => void): Promise<string> {
    const stream = await client.node.dialProtocol(peerIdFromString(gateway.peerId), REQUESTS_PROTOCOL);
    prepare((bytes) => stream.send(bytes));
    const lp = lpStream(stream);
    try {
      await lp.read({ signal: AbortSignal.timeout(15_000) });
      return 'a frame';
    } catch (err) {
      return (err as Error).name === 'TimeoutError' ? 'still open after 15 s' : 'ended by the gateway';
    } finally {
      stream.abort(new Error('done'));
    }
  }

  it('ends a stream on which nothing arrives', async () => {
    assert.equal(await endOf(() => {}), 'ended by the gateway');
  });

  it('ends a stream left with half a frame', async () => {
    // A length prefix of 100 bytes, and 10 of them.
    assert.equal(await endOf((send) => send(Uint8Array.from([100, ...randomBytes(10)]))), 'ended by the gateway');
  });

  it('still answers the wallet afterwards', async () => {
    assert.ok(await client.status('NO-SUCH-STATION').then(() => true, (err: { code?: string }) => err.code === 'UnknownStation'));
  });
});
