// Settlement on a REAL local chain: a finished session is paid from the consumer-gateway 2-of-2
// multisig — the gateway approves both payouts, the consumer's approval executes them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { approvePayouts, PayoutMismatch } from '../../chain/approve.ts';
import { ChainClient } from '../../chain/client.ts';
import { fundDeposit } from '../../chain/deposit.ts';
import { startDevChain, type DevChain } from '../../chain/dev-chain.ts';
import { loadOrCreateGatewayKey, type GatewayKey } from '../../src/crypto/gateway-key.ts';
import { DOMAIN, open } from '../../src/p2p/envelope.ts';
import { consumerTopic } from '../../src/p2p/protocol.ts';
import { codecFor } from '../../src/proto/codec.ts';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const PEAQ = 10n ** 18n;
const eventCodec = codecFor('events.Event');
const envelopeCodec = codecFor('cgw.SignedEnvelope');

describe('settlement on a real local chain', () => {
  let chain: DevChain;
  let client: ChainClient;
  let gw: TestGateway;
  let key: GatewayKey;
  let charger: Charger;
  let consumer: ReturnType<Keyring['addFromSeed']>;

  before(async () => {
    await cryptoWaitReady();
    consumer = new Keyring({ type: 'sr25519' }).addFromSeed(randomBytes(32));
    const dataDir = tempDir('cgw-settle-');
    key = (await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'))).key;
    chain = await startDevChain({ endowed: { [consumer.address]: 100n * PEAQ, [encodeAddress(key.publicKey, 42)]: 10n * PEAQ } });
    client = await ChainClient.connect(chain.endpoint);
    gw = await startTestGateway({ chain: { endpoint: chain.endpoint, minimumDeposit: String(2n * PEAQ) } }, dataDir);
    await eventually(() => gw.chain?.client()?.isConnected, 20_000);
    charger = await Charger.connect(gw.url, 'SETTLE-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
    await charger.status(2, 'Available');
  });
  after(async () => {
    await charger?.close();
    await gw?.cleanup();
    await client?.disconnect();
    await chain?.close();
  });

  it('settles a session: the gateway approves, the consumer executes, balances match to the unit', async () => {
    const { multisig } = await fundDeposit(client, consumer, key.publicKey, 5n * PEAQ);
    await gw.bridge.authorize({ station: 'SETTLE-CP', consumerKey: consumer.address });
    await gw.bridge.start({ station: 'SETTLE-CP', connectorId: 1, consumerKey: consumer.address });
    await charger.meterValues(1, 3_000);
    const receipt = await gw.bridge.stop({ station: 'SETTLE-CP', connectorId: 1, consumerKey: consumer.address });
    assert.equal(receipt.totalAmount, String(15n * PEAQ / 10n)); // 3 kWh × 0.5 PEAQ

    const keyHex = Buffer.from(consumer.publicKey).toString('hex');
    const [settled] = await eventually(async () => {
      const s = await gw.store.sessionsOfConsumer(keyHex);
      return s[0]?.state === 'settled' ? s : undefined;
    }, 30_000, 'the session was never settled');
    const st = settled!.settlement!;
    assert.equal(st.spentInfo?.tokenNum, receipt.totalAmount);
    assert.equal(st.refundInfo?.tokenNum, String(5n * PEAQ - 15n * PEAQ / 10n));
    assert.equal(st.record, 'system.remarkWithEvent', 'this runtime has no transaction pallet');

    // What the wallet has: the signed STOP_TRANSACTION_RESPONSE (receipt) and SERVICE_DELIVERED events.
    const envelopes = await gw.store.eventsAfter(consumerTopic(keyHex), 0, 100);
    const events = await Promise.all(envelopes.map(async (bytes) => ({ bytes, event: eventCodec.decode((await open(bytes, { domain: DOMAIN.event, signer: key.publicKey })).payload) })));
    const receiptEnvelope = events.find((e) => e.event.eventId === 'STOP_TRANSACTION_RESPONSE')!.bytes;
    const delivered = await eventually(async () => {
      const more = await gw.store.eventsAfter(consumerTopic(keyHex), 0, 100);
      for (const bytes of more) {
        const event = eventCodec.decode((await open(bytes, { domain: DOMAIN.event, signer: key.publicKey })).payload);
        if (event.eventId === 'SERVICE_DELIVERED') return event.serviceDeliveredData;
      }
      return undefined;
    });
    assert.equal(delivered.consumer, consumer.address);
    assert.equal(delivered.spentInfo?.callHash, st.spentInfo?.callHash);

    // A forged receipt, or a payout larger than the signed receipt, executes nothing.
    const forged = envelopeCodec.decode(receiptEnvelope);
    forged.payload = Uint8Array.from(forged.payload);
    forged.payload[forged.payload.length - 3]! ^= 1;
    await assert.rejects(approvePayouts(client, consumer, key.publicKey, envelopeCodec.encode(forged), delivered), PayoutMismatch);
    const greedy = { ...delivered, spentInfo: { ...delivered.spentInfo!, tokenNum: String(5n * PEAQ) } };
    await assert.rejects(approvePayouts(client, consumer, key.publicKey, receiptEnvelope, greedy), /asks 5000000000000000000, the signed receipt says 1500000000000000000/);
    assert.equal(await client.freeBalance(multisig), 5n * PEAQ, 'nothing left the multisig');

    const executed = await approvePayouts(client, consumer, key.publicKey, receiptEnvelope, delivered);
    assert.equal(await client.freeBalance(multisig), 0n);
    // The chain's own Transfer events: exactly the receipt's amount to the gateway, the rest back.
    const transfers: [string, string, bigint][] = [];
    for (const inclusion of [executed.spent!, executed.refund!]) {
      const at = await client.api.at(inclusion.blockHash);
      for (const { event } of (await at.query.system.events()) as unknown as { event: { section: string; method: string; data: { toString(): string; toBigInt?: () => bigint }[] } }[]) {
        if (event.section === 'balances' && event.method === 'Transfer') transfers.push([event.data[0]!.toString(), event.data[1]!.toString(), BigInt(event.data[2]!.toString())]);
      }
    }
    const gatewayAddress = client.address(key.publicKey);
    assert.deepEqual(transfers.filter(([from]) => from === multisig).map(([, to, amount]) => [to, amount]), [
      [gatewayAddress, 15n * PEAQ / 10n],
      [client.address(consumer.publicKey), 35n * PEAQ / 10n],
    ]);
  });

  it('settles sessions that end together in one batch (one approval transaction)', async () => {
    const keyring = new Keyring({ type: 'sr25519' });
    const pairs = [keyring.addFromSeed(randomBytes(32)), keyring.addFromSeed(randomBytes(32))];
    const funder = client;
    // Fund both consumers from the first one's leftover balance, then their deposits.
    for (const p of pairs) await funder.submit(funder.transfer(p.address, 10n * PEAQ), consumer);
    for (const [i, p] of pairs.entries()) {
      await fundDeposit(client, p, key.publicKey, 2n * PEAQ);
      await gw.bridge.authorize({ station: 'SETTLE-CP', consumerKey: p.address });
      await gw.bridge.start({ station: 'SETTLE-CP', connectorId: i + 1, consumerKey: p.address });
      await charger.meterValues(i + 1, 1_000);
    }
    // The EVs leave together (station-side stops).
    await Promise.all([charger.stopTransaction(1, 'EVDisconnected'), charger.stopTransaction(2, 'EVDisconnected')]);
    const settled = await eventually(async () => {
      const all = await Promise.all(pairs.map(async (p) => (await gw.store.sessionsOfConsumer(Buffer.from(p.publicKey).toString('hex')))[0]));
      return all.every((s) => s?.state === 'settled') ? all : undefined;
    }, 30_000, 'both sessions were not settled');
    assert.equal(settled[0]!.settlement!.approvalTxHash, settled[1]!.settlement!.approvalTxHash, 'one batchAll approved both sessions');
    assert.equal(settled[0]!.settlement!.spentInfo?.timePoint?.height, settled[1]!.settlement!.spentInfo?.timePoint?.height);
  });
});
