// The consumer network end to end: the gateway as its own process (the real CLI), a wallet
// (the consumer SDK) and a charge point (ocpp-rpc, strict) in this one, over real libp2p.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { after, before, describe, it } from 'node:test';
import { ConsumerClient, type GatewayEvent } from '../../src/consumer/client.ts';
import { verifyReceipt } from '../../src/consumer/receipts.ts';
import { ed25519Signer, sr25519Signer } from '../../src/consumer/signer.ts';
import { codecFor } from '../../src/proto/codec.ts';
import { DOMAIN, open, seal } from '../../src/p2p/envelope.ts';
import { REQUESTS_PROTOCOL } from '../../src/p2p/protocol.ts';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const requestCodec = codecFor('cgw.Request');
const responseCodec = codecFor('cgw.Response');
const envelopeCodec = codecFor('cgw.SignedEnvelope');

describe('consumer network over libp2p (gateway in its own process)', () => {
  const dataDir = tempDir('cgw-p2p-');
  const env = { CGW_DATA_DIR: dataDir, CGW_SESSIONS_START_TIMEOUT_SEC: '5' };
  let gateway: GatewayProcess;
  let charger: Charger;
  before(async () => {
    gateway = await spawnGateway(env);
    charger = await Charger.connect(gateway.ocppUrl, 'P2P-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
    await charger.status(2, 'Available');
  });
  after(async () => {
    await charger?.close();
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a whole session for an sr25519 wallet with verified events and a verifiable receipt', async () => {
    const wallet = await sr25519Signer();
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    assert.equal(client.gatewayPeer, gateway.peerId);
    const events: GatewayEvent[] = [];
    await client.follow(client.topic, (e) => events.push(e));

    assert.deepEqual(await client.checkAvailability('P2P-CP', 1), { available: true, reason: 'available' });
    assert.match(await client.authorize('P2P-CP'), /authorized as C[A-Z2-7]{19}/);
    assert.match(await client.start('P2P-CP', 1), /transaction \d+ started/);
    await charger.meterValues(1, 1_200);
    await charger.meterValues(1, 800);
    const status = await client.status('P2P-CP');
    assert.equal(status.session?.state, 'charging');
    assert.equal(status.transaction!.lastMeter - status.transaction!.startMeter, 2_000);

    const receipt = await client.stop('P2P-CP', 1);
    assert.equal(receipt.energyWh, 2_000);
    assert.equal(receipt.consumerPublicKey, wallet.address);
    assert.equal(receipt.energyAmount, '1000000000000000000');

    // Events: start, two progress reports, stop with the receipt, numbered 1..4 on the topic.
    await eventually(() => events.length >= 4, 10_000, `got ${events.length} events`);
    assert.deepEqual(events.map((e) => e.event.eventId), ['START_TRANSACTION_RESPONSE', 'EV_CHARGE_STATUS', 'EV_CHARGE_STATUS', 'STOP_TRANSACTION_RESPONSE']);
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3, 4]);
    assert.equal(events[2]!.event.evChargeStatusData?.energyWh, 2_000);
    assert.equal(events[1]!.event.evChargeStatusData?.currentOffered, 32);
    // The receipt event proves itself offline with the gateway's key, and only with it.
    const proven = await verifyReceipt(events[3]!.envelope, client.gatewayKey);
    assert.equal(proven.totalAmount, receipt.totalAmount);
    const tampered = Uint8Array.from(events[3]!.envelope);
    tampered[tampered.length - 70]! ^= 1;
    await assert.rejects(verifyReceipt(tampered, client.gatewayKey));
    await assert.rejects(verifyReceipt(events[3]!.envelope, randomBytes(32)), /unexpected key/);
    await client.close();
  });

  it('serves ed25519 wallets too', async () => {
    const wallet = ed25519Signer();
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    await client.authorize('P2P-CP');
    await client.start('P2P-CP', 2);
    await charger.meterValues(2, 500);
    const receipt = await client.stop('P2P-CP', 2);
    assert.equal(receipt.energyWh, 500);
    await client.close();
  });

  it('sends all of a wallet\'s requests over one stream, where a start that waits holds up no query behind it', async () => {
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
    await client.authorize('P2P-CP');
    const requestStreams = () => client.node.getConnections().flatMap((c) => c.streams).filter((s) => s.protocol === REQUESTS_PROTOCOL).map((s) => s.id);
    const [first] = requestStreams();
    charger.behaviour.neverStart = true;
    try {
      // A wallet that leaves while its start waits: the answer has nowhere to go, which must not harm the node.
      const quitter = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
      await quitter.authorize('P2P-CP');
      void quitter.start('P2P-CP', 1).catch(() => {});
      await eventually(async () => (await quitter.status('P2P-CP')).session?.state === 'starting', 5_000, 'the quitter\'s start never began');
      // Gone without a goodbye (a phone losing its network): the connection is cut, not closed.
      for (const connection of quitter.node.getConnections()) connection.abort(new Error('the wallet lost its network'));
      await quitter.close();
      let startSettled = false;
      const start = client.start('P2P-CP', 2).then(() => 'started', (err: any) => err.code).finally(() => { startSettled = true; });
      await eventually(async () => (await client.status('P2P-CP')).session?.state === 'starting', 5_000, 'the start never began');
      assert.equal(startSettled, false, 'the status was answered while the start still waited for the station');
      assert.equal(await start, 'Timeout');
    } finally {
      charger.behaviour.neverStart = false;
    }
    assert.equal(gateway.child.exitCode, null, 'the node outlived the answer it could not deliver');
    assert.equal((await client.status('P2P-CP')).session?.state, 'failed');
    assert.deepEqual(requestStreams(), [first], 'the stream that carried the authorization carried the start and the status queries');
    await client.close();
  });

  it('falls back to a stream per request with a gateway that speaks only the one-request protocol', async () => {
    const peer = fork(fileURLToPath(new URL('../helpers/single-request-peer.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const [{ address }] = (await once(peer, 'message')) as [{ address: string }];
      const client = await ConsumerClient.connect({ gateway: address, signer: ed25519Signer() });
      assert.deepEqual(await Promise.all([client.status('OLD-CP'), client.status('OLD-CP')]), [{}, {}]);
      assert.deepEqual(await client.status('OLD-CP'), {});
      peer.send('count');
      assert.deepEqual((await once(peer, 'message'))[0], { streams: 3 }, 'each request on a stream of its own');
      await client.close();
    } finally {
      peer.send('stop');
      await once(peer, 'exit');
    }
  });

  it('answers many requests on one stream by their nonces, and ends the stream after a frame it cannot read (an attacker\'s stream)', async () => {
    const wallet = ed25519Signer();
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    const statusRequest = async () => {
      const nonce = randomBytes(16);
      return { nonce, envelope: await seal(wallet, { domain: DOMAIN.request, payload: requestCodec.encode({ sessionStatus: { chargePointClientId: 'P2P-CP', consumerPublicKey: wallet.address } }), nonce }) };
    };
    const answersTo = async (frames: Uint8Array[]) => {
      const stream = await client.node.dialProtocol(peerIdFromString(gateway.peerId), REQUESTS_PROTOCOL);
      const lp = lpStream(stream, { maxDataLength: 1 << 20 });
      for (const frame of frames) await lp.write(frame);
      // Done sending: the gateway answers what it read and ends the stream.
      await stream.close();
      const answers: { inReplyTo: string; error: string }[] = [];
      // The gateway answers what it read, then closes its side: a read after that fails.
      for (;;) {
        const bytes = await lp.read({ signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        if (!bytes) break;
        const answer = await open(bytes.subarray(), { domain: DOMAIN.response, signer: peerIdFromString(gateway.peerId).publicKey!.raw });
        answers.push({ inReplyTo: Buffer.from(answer.inReplyTo).toString('hex'), error: responseCodec.decode(answer.payload).error?.code ?? '' });
      }
      return answers;
    };
    const requests = await Promise.all([statusRequest(), statusRequest(), statusRequest()]);
    const after = await statusRequest();
    const answers = await answersTo([...requests.map((r) => r.envelope), randomBytes(200), after.envelope]);
    assert.deepEqual(answers.filter((a) => a.inReplyTo).map((a) => [a.inReplyTo, a.error]).sort(), requests.map((r) => [Buffer.from(r.nonce).toString('hex'), '']).sort(), 'each request answered, named by its nonce');
    assert.deepEqual(answers.filter((a) => !a.inReplyTo).map((a) => a.error), ['InvalidRequest'], 'the junk frame is answered without a name');
    assert.equal(answers.length, 4, 'nothing after the junk frame is read');
    // Two requests with one nonce at the same moment: each gets its own answer (the second is a replay).
    const twice = await statusRequest();
    const quick = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet, timeoutMs: 10_000 });
    const outcomes = await Promise.all([0, 1].map(() => quick.send(twice.envelope, twice.nonce).then(() => 'accepted', (err: any) => err.code)));
    assert.deepEqual(outcomes.sort(), ['Replayed', 'accepted']);
    await quick.close();
    // A request signed by another key is refused, and named so the wallet can tell which.
    const forged = await statusRequest();
    const tampered = envelopeCodec.encode({ ...envelopeCodec.decode(forged.envelope), signature: new Uint8Array(64) });
    assert.deepEqual(await answersTo([tampered]), [{ inReplyTo: Buffer.from(forged.nonce).toString('hex'), error: 'BadSignature' }]);
    assert.deepEqual(await answersTo([randomBytes(70 * 1024)]), [{ inReplyTo: '', error: 'TooLarge' }]);
    // And the SDK's own stream is served as before.
    assert.equal((await client.status('P2P-CP')).session, undefined);
    await client.close();
  });

  it('refuses tampered, replayed, stale, foreign-key, malformed and oversized requests, changing nothing', async () => {
    const wallet = await sr25519Signer();
    const other = await sr25519Signer();
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    const authorize = (key: string) => requestCodec.encode({ event: { eventId: 'AUTHORIZE_REQUEST', authorizeRequestData: { chargePointClientId: 'P2P-CP', consumerPublicKey: key, budget: '' } } });
    const refusal = async (envelope: Uint8Array, nonce: Uint8Array): Promise<string> => {
      try {
        await client.send(envelope, nonce);
      } catch (err: any) {
        return err.code;
      }
      return 'accepted';
    };
    const listBefore = [...charger.list.keys()];

    let nonce: Uint8Array = randomBytes(16);
    const good = await seal(wallet, { domain: DOMAIN.request, payload: authorize(wallet.address), nonce });
    const decoded = envelopeCodec.decode(good);
    const tampered = envelopeCodec.encode({ ...decoded, payload: authorize(other.address) });
    assert.equal(await refusal(tampered, nonce), 'BadSignature');
    const unsigned = envelopeCodec.encode({ ...decoded, signature: new Uint8Array(64) });
    assert.equal(await refusal(unsigned, nonce), 'BadSignature');

    nonce = randomBytes(16);
    const stale = await seal(wallet, { domain: DOMAIN.request, payload: authorize(wallet.address), nonce, timestampMs: Date.now() - 10 * 60_000 });
    assert.equal(await refusal(stale, nonce), 'Stale');

    nonce = randomBytes(16);
    const foreign = await seal(wallet, { domain: DOMAIN.request, payload: authorize(other.address), nonce });
    assert.equal(await refusal(foreign, nonce), 'ForeignKey');

    nonce = randomBytes(16);
    const wrongDomain = await seal(wallet, { domain: DOMAIN.event, payload: authorize(wallet.address), nonce });
    assert.equal(await refusal(wrongDomain, nonce), 'InvalidRequest');
    assert.equal(await refusal(randomBytes(200), randomBytes(16)), 'InvalidRequest');
    assert.equal(await refusal(randomBytes(70 * 1024), randomBytes(16)), 'TooLarge');
    assert.deepEqual([...charger.list.keys()], listBefore, 'no refused request reached the charger');
    assert.equal((await client.status('P2P-CP')).session, undefined);

    // The good request is served once; the very same bytes again are a replay.
    nonce = decoded.nonce;
    assert.equal(await refusal(good, nonce), 'accepted');
    assert.equal(await refusal(good, nonce), 'Replayed');
    // A refusal from the bridge comes back with its code too.
    await assert.rejects(client.start('P2P-CP', 9), (err: any) => err.code === 'UnknownConnector');
    await client.close();
  });

  it('loses no event across a kill -9 of the gateway in the middle of a session, and takes the start request only once', async () => {
    const wallet = await sr25519Signer();
    let client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    await client.authorize('P2P-CP');
    // The start as the wallet sent it, to replay after the restart: its nonce was written with the session's starting state.
    const startNonce = randomBytes(16);
    const start = await seal(wallet, {
      domain: DOMAIN.request, nonce: startNonce,
      payload: requestCodec.encode({ event: { eventId: 'START_TRANSACTION_REQUEST', startTransactionRequestData: { chargePointClientId: 'P2P-CP', connectorId: 1, consumerPublicKey: wallet.address } } }),
    });
    await client.send(start, startNonce);
    await charger.meterValues(1, 300);
    await client.close();

    await gateway.kill('SIGKILL');
    gateway = await spawnGateway(env);
    const open = await charger.transactionOn(1);
    const meter = charger.meter;
    await charger.close();
    charger = await Charger.connect(gateway.ocppUrl, 'P2P-CP', 'ocpp1.6');
    charger.open.set(1, open);
    charger.meter = meter;
    await charger.meterValues(1, 700);

    // The wallet comes back after the restart and follows its topic from the start.
    client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
    try {
      const events: GatewayEvent[] = [];
      await client.follow(client.topic, (e) => events.push(e));
      await assert.rejects(client.send(start, startNonce), (err: any) => err.code === 'Replayed', 'the start is not taken again after the restart');
      const receipt = await client.stop('P2P-CP', 1);
      assert.equal(receipt.energyWh, 1_000);
      await eventually(() => events.length >= 4, 10_000, `got ${events.length} events`);
      assert.deepEqual(events.map((e) => e.seq), [1, 2, 3, 4]);
      assert.deepEqual(events.map((e) => e.event.eventId), ['START_TRANSACTION_RESPONSE', 'EV_CHARGE_STATUS', 'EV_CHARGE_STATUS', 'STOP_TRANSACTION_RESPONSE']);
    } finally {
      await client.close();
    }
  });
});
