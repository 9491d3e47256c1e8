// peaq compatibility mode: a wallet that speaks only the raw peaq format (unsigned events.Event
// on topic "charmev") runs a real OCPP session. The gateway runs as its own process.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { encodeAddress } from '@polkadot/util-crypto';
import nacl from 'tweetnacl';
import { createP2pNode, type P2pNode } from '../../src/p2p/node.ts';
import { codecFor } from '../../src/proto/codec.ts';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

// Protobuf written by hand, as a wallet with its own generated code would put it on the wire.
const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
const str = (field: number, s: string) => [...varint((field << 3) | 2), ...varint(Buffer.byteLength(s)), ...Buffer.from(s)];
const sub = (field: number, body: number[]) => [...varint((field << 3) | 2), ...varint(body.length), ...body];
const eventBytes = (eventId: number, dataField: number, body: number[]) => Uint8Array.from([0x08, eventId, ...sub(dataField, body)]);

const decodeEvent = codecFor('events.Event').decode;

describe('peaq compatibility mode (raw charmev events)', () => {
  const dataDir = tempDir('cgw-peaq-');
  let gateway: GatewayProcess;
  let charger: Charger;
  let wallet: P2pNode;
  const received: ReturnType<typeof decodeEvent>[] = [];

  before(async () => {
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_PEAQ_COMPAT_ENABLED: 'true', CGW_SESSIONS_START_TIMEOUT_SEC: '5' });
    charger = await Charger.connect(gateway.ocppUrl, 'PEAQ-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
    await charger.status(2, 'Available');
    wallet = await createP2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: [], clientMode: true });
    wallet.services.pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === 'charmev') received.push(decodeEvent(evt.detail.data));
    });
    wallet.services.pubsub.subscribe('charmev');
    await wallet.dial(multiaddr(gateway.p2p[0]!));
    // As a wallet does: wait until the provider is on the topic before talking.
    await eventually(() => wallet.services.pubsub.getSubscribers('charmev').some((p) => p.toString() === gateway.peerId), 15_000, 'the gateway never joined charmev');
  });
  after(async () => {
    await wallet?.stop();
    await charger?.close();
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const next = (eventId: string, from = 0) => eventually(() => received.slice(from).find((e) => e.eventId === eventId), 10_000, `no ${eventId}`);
  const send = (bytes: Uint8Array) => wallet.services.pubsub.publish('charmev', bytes);

  it('proves the provider identity: an ed25519 signature over the hex-decoded challenge', async () => {
    const challenge = randomBytes(32);
    await send(eventBytes(7, 8, str(1, challenge.toString('hex'))));
    const response = await next('IDENTITY_RESPONSE');
    assert.equal(response.identityResponseData?.resp?.error ?? false, false);
    const providerKey = peerIdFromString(gateway.peerId).publicKey!.raw;
    assert.ok(nacl.sign.detached.verify(challenge, Buffer.from(response.identityResponseData!.signature, 'hex'), providerKey));
  });

  it('runs SERVICE_REQUESTED → real OCPP session → CHARGING_STATUS → STOP_CHARGE_REQUEST', async () => {
    const consumer = encodeAddress(randomBytes(32), 42);
    const provider = encodeAddress(peerIdFromString(gateway.peerId).publicKey!.raw, 42);
    const from = received.length;
    await send(eventBytes(3, 4, [...str(1, consumer), ...str(2, provider), ...str(3, '10000000000000000000'), 0x20, 1]));
    const ack = await next('SERVICE_REQUEST_ACK', from);
    assert.equal(ack.serviceRequestedAckData?.resp?.error ?? false, false, ack.serviceRequestedAckData?.resp?.message);
    // The charger really started a transaction for that consumer's idTag.
    const tx = await charger.transactionOn(1);
    assert.match(tx.idTag, /^C[A-Z2-7]{19}$/);

    await charger.meterValues(1, 2_000);
    const status = await eventually(() => received.slice(from).find((e) => e.eventId === 'CHARGING_STATUS' && e.chargingStatusData?.energyConsumption === '2.000'), 10_000, 'no CHARGING_STATUS with 2 kWh');
    // 2 kWh at 0.5 PEAQ per kWh = 1 PEAQ of the 10 deposited: 10 %.
    assert.equal(status.chargingStatusData?.tokenSpent, '1000000000000000000');
    assert.equal(status.chargingStatusData?.progress, 10);

    const stopFrom = received.length;
    await send(Uint8Array.from([0x08, 5, ...sub(6, [0x08, 1])]));
    const stopped = await next('STOP_CHARGE_RESPONSE', stopFrom);
    assert.equal(stopped.stopChargeRespData?.resp?.error ?? false, false, stopped.stopChargeRespData?.resp?.message);
    assert.equal(charger.open.size, 0, 'the charger ended the transaction');
  });

  it('stops only the session of the peer that asks, with two wallets charging at once (seen: any peer\'s stop ended every session)', async () => {
    const other = await createP2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: [], clientMode: true });
    try {
      other.services.pubsub.subscribe('charmev');
      await other.dial(multiaddr(gateway.p2p[0]!));
      await eventually(() => other.services.pubsub.getSubscribers('charmev').some((p) => p.toString() === gateway.peerId), 15_000, 'the second wallet never saw the gateway on charmev');
      const provider = encodeAddress(peerIdFromString(gateway.peerId).publicKey!.raw, 42);
      const request = (connector: number) => eventBytes(3, 4, [...str(1, encodeAddress(randomBytes(32), 42)), ...str(2, provider), ...str(3, '10000000000000000000'), 0x20, connector]);
      await send(request(1));
      await eventually(() => charger.open.has(1), 10_000, 'the first wallet\'s session did not start');
      await other.services.pubsub.publish('charmev', request(2));
      await eventually(() => charger.open.has(2), 10_000, 'the second wallet\'s session did not start');

      const stop = Uint8Array.from([0x08, 5, ...sub(6, [0x08, 1])]);
      await other.services.pubsub.publish('charmev', stop);
      await eventually(() => !charger.open.has(2), 10_000, 'the second wallet\'s stop did not stop its own session');
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(charger.open.has(1), 'the first wallet\'s session still charges');
      await send(stop);
      await eventually(() => charger.open.size === 0, 10_000, 'the first wallet could not stop its own session');
    } finally {
      await other.stop();
    }
  });

  it('ignores SERVICE_REQUESTED for another provider and refuses a bad consumer address', async () => {
    const from = received.length;
    await send(eventBytes(3, 4, [...str(1, encodeAddress(randomBytes(32), 42)), ...str(2, encodeAddress(randomBytes(32), 42)), ...str(3, '1'), 0x20, 1]));
    await send(eventBytes(3, 4, [...str(1, 'nonsense'), ...str(3, '1'), 0x20, 1]));
    const ack = await next('SERVICE_REQUEST_ACK', from);
    assert.equal(ack.serviceRequestedAckData?.resp?.error, true);
    assert.match(ack.serviceRequestedAckData!.resp!.message, /not a valid address/);
    assert.equal(received.slice(from).filter((e) => e.eventId === 'SERVICE_REQUEST_ACK').length, 1, 'the other provider\'s request got no answer');
    assert.equal(charger.open.size, 0);
  });
});
