// Hostile consumers over real libp2p, the gateway in its own process: fuzzed envelopes and
// request payloads, a peer flooding the request protocol, and a wallet trying to stop another
// wallet's session. Every one gets a clear refusal code; nothing changes; others are served.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { ed25519Signer, sr25519Signer } from '../../src/consumer/signer.ts';
import { DOMAIN, seal } from '../../src/p2p/envelope.ts';
import { stationTopic } from '../../src/p2p/protocol.ts';
import { codecFor } from '../../src/proto/codec.ts';
import { Charger } from '../helpers/charger.ts';
import { BOOT_16, RawStation } from '../helpers/clients.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';

const requestCodec = codecFor('cgw.Request');
const REFUSALS = new Set(['BadSignature', 'InvalidRequest', 'Stale', 'ForeignKey', 'TooLarge', 'Replayed', 'UnknownStation', 'UnknownConnector']);
// The per-peer burst the node is started with: each fuzz round uses a fresh peer below it.
const BURST = 20;

/** A wallet's own peer. libp2p refuses more than 5 new connections per second from one host. */
async function connectWallet(gateway: GatewayProcess, signer: Parameters<typeof ConsumerClient.connect>[0]['signer']): Promise<ConsumerClient> {
  await new Promise((r) => setTimeout(r, 250));
  return ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer });
}

async function codeOf(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
    return 'accepted';
  } catch (err: any) {
    return err.code ?? `no code: ${err.message}`;
  }
}

describe('hostile consumers (gateway in its own process)', () => {
  const dataDir = tempDir('cgw-hostile-p2p-');
  let gateway: GatewayProcess;
  let charger: Charger;
  before(async () => {
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_REQUEST_BURST: String(BURST), CGW_P2P_REQUESTS_PER_SECOND: '5', CGW_OCPP_MAX_MESSAGES_PER_SECOND: '10000' });
    charger = await Charger.connect(gateway.ocppUrl, 'HOSTILE-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
  });
  after(async () => {
    await charger?.close();
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses fuzzed envelopes and payloads with a code, changing nothing', async () => {
    const wallet = ed25519Signer();
    const authorize = requestCodec.encode({ event: { eventId: 'AUTHORIZE_REQUEST', authorizeRequestData: { chargePointClientId: 'HOSTILE-CP', consumerPublicKey: wallet.address, budget: '' } } });
    const nonce = randomBytes(16);
    const good = await seal(wallet, { domain: DOMAIN.request, payload: authorize, nonce });
    // Byte flips, truncations and extensions of a valid envelope; random bytes; valid
    // signatures over random payload bytes (so the payload decoder itself is fuzzed).
    const mutatedEnvelope = fc.tuple(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.integer({ min: -20, max: 20 }))
      .map(([flips, resize]) => {
        const bytes = Buffer.from(good);
        for (const [at, xor] of flips) bytes[at]! ^= xor;
        return new Uint8Array(resize < 0 ? bytes.subarray(0, bytes.length + resize) : Buffer.concat([bytes, randomBytes(resize)]));
      });
    const signedJunk = fc.uint8Array({ maxLength: 300 }).map((payload) => ({ payload }));
    const listBefore = [...charger.list.keys()];
    const codes = new Map<string, number>();
    for (let round = 0; round < 4; round++) {
      const client = await connectWallet(gateway, wallet);
      await fc.assert(fc.asyncProperty(fc.oneof(mutatedEnvelope, fc.uint8Array({ maxLength: 400 }), signedJunk), async (input) => {
        // The client checks that an answer names the request's nonce: give it the sealed one.
        const junkNonce = randomBytes(16);
        const envelope = input instanceof Uint8Array ? input : await seal(wallet, { domain: DOMAIN.request, payload: input.payload, nonce: junkNonce });
        const code = await codeOf(client.send(envelope, input instanceof Uint8Array ? nonce : junkNonce));
        codes.set(code, (codes.get(code) ?? 0) + 1);
        // Random bytes can decode as a request the gateway serves (a status query, say); what
        // matters is that a refusal always names its reason and nothing reaches the charger.
        assert.ok(code === 'accepted' || REFUSALS.has(code), `refused with a known code, got ${code}`);
      }), { numRuns: BURST - 2 });
      await client.close();
    }
    assert.ok((codes.get('BadSignature') ?? 0) + (codes.get('InvalidRequest') ?? 0) > 40, `mostly refused: ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.deepEqual([...charger.list.keys()], listBefore, 'no fuzzed request reached the charger');

    const fresh = await connectWallet(gateway, wallet);
    assert.match(await fresh.authorize('HOSTILE-CP'), /authorized/, 'and the gateway still serves');
    await fresh.close();
  });

  it('refuses a nonce longer than 64 bytes (every nonce is kept for the freshness window); takes one of 64', async () => {
    const wallet = ed25519Signer();
    const client = await connectWallet(gateway, wallet);
    try {
      const query = requestCodec.encode({ events: { topic: 'no-such-topic', afterSeq: 0, limit: 1 } });
      for (const [size, expected] of [[65, 'InvalidRequest'], [64, 'accepted'], [15, 'InvalidRequest']] as const) {
        const nonce = randomBytes(size);
        const envelope = await seal(wallet, { domain: DOMAIN.request, payload: query, nonce });
        assert.equal(await codeOf(client.send(envelope, nonce)), expected, `a nonce of ${size} bytes`);
      }
    } finally {
      await client.close();
    }
  });

  it('slows a flooding peer with RateLimited while other peers are served', async () => {
    const flooder = await connectWallet(gateway, ed25519Signer());
    const codes = await Promise.all(Array.from({ length: 60 }, () => codeOf(flooder.status('HOSTILE-CP'))));
    const limited = codes.filter((c) => c === 'RateLimited').length;
    assert.ok(limited >= 60 - BURST - 5, `most of the flood is refused (${limited} of 60 RateLimited)`);
    assert.ok(codes.filter((c) => c === 'accepted').length >= BURST - 5, 'the burst is served');
    const polite = await connectWallet(gateway, ed25519Signer());
    assert.equal(await codeOf(polite.status('HOSTILE-CP')), 'accepted', 'another peer is served meanwhile');
    await Promise.all([flooder.close(), polite.close()]);
  });

  it("refuses to stop another wallet's session (NotYourSession); the session goes on", async () => {
    const owner = await connectWallet(gateway, await sr25519Signer());
    const thief = await connectWallet(gateway, await sr25519Signer());
    try {
    await owner.authorize('HOSTILE-CP');
    await owner.start('HOSTILE-CP', 1);
    await thief.authorize('HOSTILE-CP');
    assert.equal(await codeOf(thief.stop('HOSTILE-CP', 1)), 'NotYourSession');
    assert.ok(charger.open.has(1), 'the transaction is still running on the charger');
    assert.equal((await owner.status('HOSTILE-CP')).session?.state, 'charging');
    await charger.meterValues(1, 1_000);
    const receipt = await owner.stop('HOSTILE-CP', 1);
    assert.equal(receipt.energyWh, 1_000);
    } finally {
      await Promise.all([owner.close(), thief.close()]);
    }
  });

  it('pages a long catch-up (`more`), and the SDK follows every page', async () => {
    const station = await RawStation.connect(`${gateway.ocppUrl}/CHATTY-CP`, 'ocpp1.6');
    await station.call('b', 'BootNotification', BOOT_16);
    const CHANGES = 1_200;
    for (let i = 0; i < CHANGES; i++) {
      await station.call(`s${i}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 2 ? 'Available' : 'Preparing', info: 'x'.repeat(50) });
    }
    station.close();
    const wallet = await connectWallet(gateway, ed25519Signer());
    try {
      const topic = stationTopic('CHATTY-CP');
      const page = await wallet.request({ events: { topic, afterSeq: 0, limit: 1_000 } });
      assert.equal(page.events?.envelopes.length, 1_000, 'a page holds the limit asked for');
      assert.equal(page.events?.more, true, 'and says more follow');
      const last = await wallet.request({ events: { topic, afterSeq: 1_000, limit: 1_000 } });
      assert.ok(last.events!.envelopes.length > 0 && last.events!.envelopes.length < 1_000);
      assert.equal(last.events?.more, false, 'the last page says so');
      const seqs: number[] = [];
      await wallet.follow(topic, (e) => seqs.push(e.seq));
      assert.ok(seqs.length > CHANGES, `all ${seqs.length} events, in order`);
      assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
    } finally {
      await wallet.close();
    }
  });
});
