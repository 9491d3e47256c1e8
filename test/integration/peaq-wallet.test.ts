// A peaq wallet (CharmEV) as it behaves on the wire, against the gateway as its own process and
// a REAL local chain: raw protobuf written and read by field number (shared/PEAQ-WIRE.md), the
// answer to SERVICE_REQUESTED read from field 16, payouts approved by call hash only.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { ChainClient } from '../../chain/client.ts';
import { fundDeposit } from '../../chain/deposit.ts';
import { attributeKey, p2pEndpoint, p2pServiceOf, readDidDocument, stationsOf } from '../../chain/did.ts';
import { startDevChain, testChainSpec, type DevChain } from '../helpers/dev-chain.ts';
import { loadOrCreateGatewayKey } from '../../src/crypto/gateway-key.ts';
import { createP2pNode, type P2pNode } from '../../src/p2p/node.ts';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { approveByHash, PEAQ, total, transfersFrom } from '../helpers/money.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { CHAIN_WAIT_MS, eventually } from '../helpers/wait.ts';

// The wallet's side of protobuf, by hand: no generated code, only the field numbers.
const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
const str = (field: number, s: string) => [...varint((field << 3) | 2), ...varint(Buffer.byteLength(s)), ...Buffer.from(s)];
const sub = (field: number, body: number[]) => [...varint((field << 3) | 2), ...varint(body.length), ...body];
const eventBytes = (eventId: number, dataField: number, body: number[]) => Uint8Array.from([0x08, eventId, ...sub(dataField, body)]);

/** Reads a message into field number → raw values (varints as numbers, length-delimited as bytes). */
function fields(bytes: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const out = new Map<number, (number | Uint8Array)[]>();
  let i = 0;
  const readVarint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[i++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  while (i < bytes.length) {
    const tag = readVarint();
    const field = tag >>> 3;
    let value: number | Uint8Array;
    if ((tag & 7) === 0) value = readVarint();
    else if ((tag & 7) === 2) {
      const len = readVarint();
      value = bytes.subarray(i, i + len);
      i += len;
    } else throw new Error(`wire type ${tag & 7} not expected here`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}
const first = (m: Map<number, (number | Uint8Array)[]>, f: number) => m.get(f)?.[0];
const text = (v: number | Uint8Array | undefined) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');
/** Response{error=1, message=2} inside the ack data message's field 1. */
function response(ackData: Uint8Array): { error: boolean; message: string } {
  const resp = fields(first(fields(ackData), 1) as Uint8Array);
  return { error: first(resp, 1) === 1, message: text(first(resp, 2)) };
}

describe('a peaq wallet against the gateway and a real local chain', () => {
  const dataDir = tempDir('cgw-peaq-wallet-');
  let chain: DevChain;
  let client: ChainClient;
  let gateway: GatewayProcess;
  let charger: Charger;
  let provider: string;
  let gatewayKey: Uint8Array;
  const wallets: { node: P2pNode; received: Uint8Array[] }[] = [];
  const keyring = new Keyring({ type: 'sr25519' });
  const consumer = keyring.addFromSeed(randomBytes(32));
  const greedy = keyring.addFromSeed(randomBytes(32));

  async function wallet(): Promise<{ node: P2pNode; received: Uint8Array[] }> {
    const node = await createP2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: [], clientMode: true });
    const w = { node, received: [] as Uint8Array[] };
    node.services.pubsub.addEventListener('message', (evt) => { if (evt.detail.topic === 'charmev') w.received.push(evt.detail.data); });
    node.services.pubsub.subscribe('charmev');
    await node.dial(multiaddr(gateway.p2p[0]!));
    await eventually(() => node.services.pubsub.getSubscribers('charmev').some((p) => p.toString() === gateway.peerId), CHAIN_WAIT_MS, 'the gateway never joined charmev');
    wallets.push(w);
    return w;
  }
  const next = (w: { received: Uint8Array[] }, eventId: number, from: number) => eventually(
    () => w.received.slice(from).map((b) => fields(b)).find((m) => (first(m, 1) ?? 0) === eventId), CHAIN_WAIT_MS, `no event ${eventId}`,
  );
  const send = (w: { node: P2pNode }, bytes: Uint8Array) => w.node.services.pubsub.publish('charmev', bytes);
  const serviceRequested = (who: string, deposit: bigint) =>
    eventBytes(3, 4, [...str(1, who), ...str(2, provider), ...str(3, deposit.toString()), 0x20, 1]);

  before(async () => {
    await cryptoWaitReady();
    gatewayKey = (await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'))).key.publicKey;
    provider = encodeAddress(gatewayKey, 42);
    chain = await startDevChain({ specFile: testChainSpec(), endowed: { [consumer.address]: 100n * PEAQ, [greedy.address]: 100n * PEAQ, [provider]: 100n * PEAQ } });
    client = await ChainClient.connect(chain.endpoint);
    gateway = await spawnGateway({
      CGW_DATA_DIR: dataDir, CGW_P2P_PEAQ_COMPAT_ENABLED: 'true', CGW_CHAIN_ENDPOINT: chain.endpoint, CGW_CHAIN_MINIMUM_DEPOSIT: String(PEAQ),
    });
    charger = await Charger.connect(gateway.ocppUrl, 'PEAQ-WALLET-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
    await eventually(async () => (await fetch(`${gateway.admin}/readyz`)).ok, CHAIN_WAIT_MS, 'the gateway never reached the chain');
  });
  after(async () => {
    for (const w of wallets) await w.node.stop();
    await charger?.close();
    await gateway?.kill('SIGTERM');
    await client?.disconnect();
    await chain?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a claimed deposit above what the multisig holds, in field 16 where the wallet reads it (seen: 9 claimed, 2 funded, accepted)', async () => {
    const w = await wallet();
    await fundDeposit(client, greedy, gatewayKey, 2n * PEAQ);
    const from = w.received.length;
    await send(w, serviceRequested(greedy.address, 9n * PEAQ));
    const ack = await next(w, 1, from);
    assert.ok(first(ack, 16), 'the answer is in service_requested_ack_data (field 16)');
    const resp = response(first(ack, 16) as Uint8Array);
    assert.equal(resp.error, true, 'a refusal reads as a refusal in the wallet');
    assert.ok(resp.message.includes(`does not cover a budget of ${client.format(9n * PEAQ)}: the multisig ${client.multisigAddress([greedy.publicKey, gatewayKey])} holds ${client.format(2n * PEAQ)}`), resp.message);
    assert.deepEqual(response(first(ack, 3) as Uint8Array), resp, 'and in field 3 for older readers');
    assert.equal(charger.open.size, 0, 'no session started');
  });

  it('runs a session that only its own peer can stop, and pays out what the wallet approves by hash', async () => {
    const owner = await wallet();
    const stranger = await wallet();
    const start = (await client.head()).number;
    const multisig = client.multisigAddress([consumer.publicKey, gatewayKey]);
    await fundDeposit(client, consumer, gatewayKey, 2n * PEAQ);
    let from = owner.received.length;
    await send(owner, serviceRequested(consumer.address, 2n * PEAQ));
    const ack = response(first(await next(owner, 1, from), 16) as Uint8Array);
    assert.equal(ack.error, false, ack.message);
    await charger.transactionOn(1);
    await charger.meterValues(1, 1_000);

    // Another peer on the topic asks to stop (seen: it stopped every compatibility session).
    await send(stranger, Uint8Array.from([0x08, 5, ...sub(6, [0x08, 1])]));
    const strangerId = stranger.node.peerId.toString();
    await eventually(() => gateway.output.some((l) => l.includes('STOP_CHARGE_REQUEST ignored') && l.includes(strangerId)), 30_000, 'the stranger\'s stop never reached the gateway');
    assert.ok(charger.open.has(1), 'a stranger cannot stop the session');

    from = owner.received.length;
    await send(owner, Uint8Array.from([0x08, 5, ...sub(6, [0x08, 1])]));
    const stopped = response(first(await next(owner, 6, from), 7) as Uint8Array);
    assert.equal(stopped.error, false, stopped.message);
    assert.equal(charger.open.size, 0);

    // SERVICE_DELIVERED (event 4, data field 5): refund_info = 3, spent_info = 4, each a
    // TransactionValue{token_num 1, tx_hash 2, time_point 3 {height 1, index 2}, call_hash 4}.
    const delivered = fields(first(await next(owner, 4, from), 5) as Uint8Array);
    const value = (f: number) => {
      const v = fields(first(delivered, f) as Uint8Array);
      const tp = fields(first(v, 3) as Uint8Array);
      return { tokenNum: text(first(v, 1)), callHash: text(first(v, 4)), timePoint: { height: Number(first(tp, 1) ?? 0), index: Number(first(tp, 2) ?? 0) } };
    };
    const refund = value(3);
    const spent = value(4);
    assert.equal(spent.tokenNum, String(PEAQ / 2n), '1 kWh at 0.5 PEAQ');
    assert.equal(refund.tokenNum, String(15n * PEAQ / 10n), 'the rest of the claimed deposit');
    for (const v of [spent, refund]) await approveByHash(client, consumer, gatewayKey, v as never);

    await eventually(async () => (await client.freeBalance(multisig)) === 0n, CHAIN_WAIT_MS, 'the payouts were never executed');
    const transfers = await transfersFrom(client, multisig, start);
    assert.equal(total(transfers, client.address(gatewayKey)), PEAQ / 2n);
    assert.equal(total(transfers, client.address(consumer.publicKey)), 15n * PEAQ / 10n);
    // The delivery is on chain: peaq's transaction.ServiceDelivered where the pallet exists.
    const record = client.shape.transactionPallet ? 'transaction.ServiceDelivered' : 'system.Remarked';
    let recorded = 0;
    for (let n = start; n <= (await client.head()).number; n++) {
      const at = await client.api.at(await client.api.rpc.chain.getBlockHash(n));
      for (const { event } of (await at.query.system.events()) as any) if (`${event.section}.${event.method}` === record) recorded++;
    }
    assert.equal(recorded, 1, `one ${record}`);
  });

  it('keeps its DID document on chain where there is a peaqDid pallet, readable by peaq\'s codec, and republishes without paying for a refused call', async () => {
    const env = { CGW_DATA_DIR: dataDir, CGW_P2P_PEAQ_COMPAT_ENABLED: 'true', CGW_CHAIN_ENDPOINT: chain.endpoint, CGW_CHAIN_MINIMUM_DEPOSIT: String(PEAQ) };
    if (!client.shape.peaqDid) {
      // This runtime has no DID pallet: nothing is sent (and so nothing paid for).
      assert.ok(gateway.output.some((l) => l.includes('no peaqDid pallet; the DID document is not published')));
      return;
    }
    // peaq's runtime (CGW_TEST_CHAIN_SPEC=peaq-raw.json): the document is on chain, in storage.
    const doc = await eventually(async () => {
      const d = await readDidDocument(client, provider);
      return d && stationsOf(d).some((m) => m.chargePointClientId === 'PEAQ-WALLET-CP') ? d : undefined;
    }, CHAIN_WAIT_MS, 'no DID document listing the station');
    assert.equal(p2pServiceOf(doc), p2pEndpoint(gateway.p2p));
    const raw = await (client.api.query as any).peaqDid.attributeStore(attributeKey(gatewayKey, 'v2'));
    const peaq = createRequire(import.meta.url)('peaq-did-proto-js') as any;
    const decoded = peaq.Document.deserializeBinary(Buffer.from(Buffer.from(raw.value.toU8a(true)).toString('utf8'), 'hex'));
    assert.equal(decoded.getId(), `did:peaq:${provider}`);
    // A restart (seen: peaqDid.AttributeAlreadyExist, and a fee, every time): the stored document is read first.
    const before = await client.freeBalance(provider);
    await charger.close();
    await gateway.kill('SIGTERM');
    gateway = await spawnGateway(env);
    await eventually(() => gateway.output.some((l) => /DID document (on chain is current|published)/.test(l)), CHAIN_WAIT_MS, 'the DID document was not checked after the restart');
    assert.ok(!gateway.output.some((l) => l.includes('AttributeAlreadyExist')), gateway.output.join('\n'));
    if (gateway.output.some((l) => l.includes('DID document on chain is current'))) assert.equal(await client.freeBalance(provider), before, 'an unchanged document costs nothing');
    // From the chain's own events: added once, updated when stations appeared, never refused.
    const didEvents: string[] = [];
    for (let n = 1; n <= (await client.head()).number; n++) {
      const at = await client.api.at(await client.api.rpc.chain.getBlockHash(n));
      for (const { event } of (await at.query.system.events()) as any) {
        if (event.section === 'peaqDid') didEvents.push(event.method);
        if (event.section === 'system' && event.method === 'ExtrinsicFailed') didEvents.push(JSON.stringify(event.data.toHuman()));
      }
    }
    assert.equal(didEvents.filter((e) => e === 'AttributeAdded').length, 1, didEvents.join(', '));
    assert.ok(didEvents.includes('AttributeUpdated'), didEvents.join(', '));
    assert.ok(!didEvents.some((e) => e.includes('AttributeAlreadyExist')), didEvents.join(', '));
  });
});
