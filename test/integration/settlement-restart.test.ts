// Settlement across restarts of the node, on a REAL local chain: a restart between any two
// steps approves nothing twice and loses nothing; a session from before the deposit ledger (no
// budget) whose deposit is empty is settled with its cost owed, never "settled" silently.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { approvePayouts } from '../../chain/approve.ts';
import { ChainClient } from '../../chain/client.ts';
import { fundDeposit } from '../../chain/deposit.ts';
import { startDevChain, testChainSpec, type DevChain } from '../helpers/dev-chain.ts';
import { gatewayAccount } from '../../chain/gateway-account.ts';
import { firstApproval, openOperations, otherSignatories } from '../../chain/multisig.ts';
import { payoutCall } from '../../chain/payouts.ts';
import { deliveryRemark } from '../../chain/delivery-records.ts';
import { loadOrCreateGatewayKey, type GatewayKey } from '../../src/crypto/gateway-key.ts';
import { LevelStore } from '../../src/store/level-store.ts';
import { emptyChange } from '../../src/domain/change.ts';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { approveByHash, deliveries, PEAQ, payoutValues, total, transfersFrom } from '../helpers/money.ts';
import { CHAIN_WAIT_MS, eventually } from '../helpers/wait.ts';

describe('settlement across restarts', () => {
  const dataDir = tempDir('cgw-settle-restart-');
  let chain: DevChain;
  let client: ChainClient;
  let gw: TestGateway;
  let key: GatewayKey;
  let charger: Charger;
  const keyring = new Keyring({ type: 'sr25519' });
  const consumer = keyring.addFromSeed(randomBytes(32));
  const legacy = keyring.addFromSeed(randomBytes(32));
  const recorder = keyring.addFromSeed(randomBytes(32));
  const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');

  async function start(): Promise<void> {
    gw = await startTestGateway({ chain: { endpoint: chain.endpoint, minimumDeposit: String(PEAQ) } }, dataDir);
    await eventually(() => gw.chain?.client()?.isConnected, CHAIN_WAIT_MS);
    charger = await Charger.connect(gw.url, 'RESTART-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
    await charger.status(2, 'Available');
  }
  async function stop(): Promise<void> {
    await charger.close();
    await gw.stop();
  }
  const sessions = (k: Uint8Array) => gw.store.sessions.ofConsumer(hex(k));
  const reached = (k: Uint8Array, state: string, n = 1) =>
    eventually(async () => (await sessions(k)).filter((s) => s.state === state).length >= n, CHAIN_WAIT_MS, `never ${n} ${state}`);

  before(async () => {
    await cryptoWaitReady();
    key = (await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'))).key;
    chain = await startDevChain({ specFile: testChainSpec(), endowed: { [consumer.address]: 100n * PEAQ, [legacy.address]: 100n * PEAQ, [recorder.address]: 100n * PEAQ, [encodeAddress(key.publicKey, 42)]: 100n * PEAQ } });
    client = await ChainClient.connect(chain.endpoint);
    await start();
  });
  after(async () => {
    await charger?.close();
    await gw?.cleanup();
    await client?.disconnect();
    await chain?.close();
  });

  it('approves nothing twice and pays everything once, whatever step a restart falls between', async () => {
    const multisig = client.multisigAddress([consumer.publicKey, key.publicKey]);
    const from = (await client.head()).number;
    await fundDeposit(client, consumer, key.publicKey, 4n * PEAQ);
    await gw.bridge.authorize({ station: 'RESTART-CP', consumerKey: consumer.address, budget: 2n * PEAQ });
    await gw.bridge.start({ station: 'RESTART-CP', connectorId: 1, consumerKey: consumer.address });
    await charger.meterValues(1, 1_000);
    const receipt = await gw.bridge.stop({ station: 'RESTART-CP', connectorId: 1, consumerKey: consumer.address });
    // Down before settling; as if the node had sent its approval of the spent payout and died
    // before recording it, that operation is open on chain already.
    await stop();
    const gatewayPair = await gatewayAccount(key.libp2pKey.raw.subarray(0, 32), client.shape.ss58Prefix);
    const spentCall = payoutCall(client, { sessionId: receipt.sessionId, kind: 'spent', seq: 0, to: client.address(key.publicKey), amount: PEAQ / 2n });
    // (On a slow chain the node may have settled before it went down; then both are open already.)
    if ((await openOperations(client, multisig)).length === 0) {
      await client.submit(firstApproval(client, otherSignatories(client, [consumer.publicKey, key.publicKey], key.publicKey), spentCall), gatewayPair);
      assert.equal((await openOperations(client, multisig)).length, 1);
    }

    await start();
    await reached(consumer.publicKey, 'settled');
    assert.equal((await openOperations(client, multisig)).length, 2, 'the open operation was found, not approved again');

    // Down again; the wallet approves by hash meanwhile; the node executes once it is back.
    const told = payoutValues(await deliveries(gw.store, key.publicKey, hex(consumer.publicKey)));
    await stop();
    for (const v of told) await approveByHash(client, consumer, key.publicKey, v);
    await start();
    await reached(consumer.publicKey, 'paid');

    // A second session (on connector 2: this simulated charger restarts its clock and meter with
    // each connection, so on connector 1 its StartTransaction would repeat the first one's
    // business key): the wallet executes its payouts itself while the node is down.
    await gw.bridge.authorize({ station: 'RESTART-CP', consumerKey: consumer.address, budget: 2n * PEAQ });
    await gw.bridge.start({ station: 'RESTART-CP', connectorId: 2, consumerKey: consumer.address });
    await charger.meterValues(2, 2_000);
    await gw.bridge.stop({ station: 'RESTART-CP', connectorId: 2, consumerKey: consumer.address });
    await reached(consumer.publicKey, 'settled');
    const second = await deliveries(gw.store, key.publicKey, hex(consumer.publicKey));
    await stop();
    const done = await approvePayouts(client, consumer, key.publicKey, second);
    assert.deepEqual(done.map((a) => a.outcome).sort(), ['closed', 'closed', 'executed', 'executed'], 'the first session\'s payouts were closed already');
    await start();
    await reached(consumer.publicKey, 'paid', 2);

    const transfers = await transfersFrom(client, multisig, from);
    assert.equal(transfers.length, 4, 'four payouts, each executed once');
    assert.equal(total(transfers, client.address(key.publicKey)), PEAQ / 2n + PEAQ);
    assert.equal(total(transfers, client.address(consumer.publicKey)), 3n * PEAQ / 2n + PEAQ);
    assert.equal(await client.freeBalance(multisig), 0n);
  });

  it('records a delivery once when the node stopped after sending the record and before keeping that it did (seen: recorded, and paid for, again)', async () => {
    await fundDeposit(client, recorder, key.publicKey, 2n * PEAQ);
    await stop();
    // What the node left in LevelDB: a session ended with a budget of 2 PEAQ, 0.5 spent.
    const store = await LevelStore.open(join(dataDir, 'state'));
    const { id } = await leaveEndedSession(store, { consumer: recorder.address, keyHex: hex(recorder.publicKey), idTag: 'CRECORDER', transactionId: 98, energyWh: 1000, cost: PEAQ / 2n, budget: 2n * PEAQ });
    // The receipt as the node reads it back (its remark names the receipt's hash).
    const { receipt } = (await store.sessions.load('RESTART-CP', id))!;
    await store.close();
    const remark = deliveryRemark(id, receipt);
    // What it had sent before it stopped: both approvals and the delivery record.
    const from = (await client.head()).number;
    const gatewayPair = await gatewayAccount(key.libp2pKey.raw.subarray(0, 32), client.shape.ss58Prefix);
    const others = otherSignatories(client, [recorder.publicKey, key.publicKey], key.publicKey);
    for (const [kind, to, amount] of [['spent', client.address(key.publicKey), PEAQ / 2n], ['refund', client.address(recorder.publicKey), 3n * PEAQ / 2n]] as const) {
      await client.submit(firstApproval(client, others, payoutCall(client, { sessionId: id, kind, seq: 0, to, amount })), gatewayPair);
    }
    await client.submit(client.api.tx.system.remarkWithEvent(remark), gatewayPair);
    assert.equal((await openOperations(client, client.multisigAddress([recorder.publicKey, key.publicKey]))).length, 2);

    await start();
    await reached(recorder.publicKey, 'settled');
    const records = await remarksSince(client, from, remark);
    assert.equal(records, 1, 'the delivery is on chain once');
    assert.equal((await openOperations(client, client.multisigAddress([recorder.publicKey, key.publicKey]))).length, 2, 'and its approvals once');
  });

  it('settles a session from before the ledger (no budget) on an empty deposit with its cost owed, not silently (seen: "settled", nothing paid)', async () => {
    // What the previous release left in LevelDB: a finished session and its settlement job, no budget.
    await stop();
    const store = await LevelStore.open(join(dataDir, 'state'));
    const { id } = await leaveEndedSession(store, { consumer: legacy.address, keyHex: hex(legacy.publicKey), idTag: 'CLEGACY', transactionId: 99, energyWh: 2000, cost: PEAQ });
    await store.close();
    await start();

    await reached(legacy.publicKey, 'settled');
    const [settled] = await sessions(legacy.publicKey);
    assert.equal(settled!.settlement!.unpaid, String(PEAQ), 'the whole cost is owed');
    assert.ok(!settled!.settlement!.spentInfo && !settled!.settlement!.refundInfo, 'nothing to pay out from an empty deposit');
    assert.deepEqual((await gw.store.settlements.debts(hex(legacy.publicKey))).map((d) => d.amount), [String(PEAQ)]);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.adminPort}/metrics`)).text();
    assert.match(metrics, /^cgw_debts 1$/m);
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const debts = await (await fetch(`http://127.0.0.1:${gw.adminPort}/api/debts`, { headers: { Authorization: `Bearer ${token}` } })).json() as any;
    assert.deepEqual(debts.items.map((d: any) => [d.sessionId, d.amount]), [[id, String(PEAQ)]]);
    await assert.rejects(gw.bridge.authorize({ station: 'RESTART-CP', consumerKey: legacy.address }), (err: any) => err.code === 'OutstandingDebt');

    await fundDeposit(client, legacy, key.publicKey, 2n * PEAQ);
    const debt = await eventually(async () => payoutValues(await deliveries(gw.store, key.publicKey, hex(legacy.publicKey))).find((v) => v.kind === 'debt'), CHAIN_WAIT_MS, 'the debt was never paid out');
    assert.equal(debt.tokenNum, String(PEAQ));
    // (The previous release's receipt event is not part of this picture; the wallet approves by hash.)
    await approveByHash(client, legacy, key.publicKey, debt);
    await reached(legacy.publicKey, 'paid');
    assert.equal((await gw.bridge.authorize({ station: 'RESTART-CP', consumerKey: legacy.address })).budget, String(PEAQ));
  });
});

/** How many System.Remarked events carry this remark since block `from`. */
async function remarksSince(client: ChainClient, from: number, remark: string): Promise<number> {
  const wanted = blake2AsHex(remark);
  let n = 0;
  for (let b = from; b <= (await client.head()).number; b++) {
    const events = await (await client.api.at(await client.api.rpc.chain.getBlockHash(b))).query.system!.events!() as unknown as { event: { section: string; method: string; data: { toJSON(): unknown } } }[];
    n += events.filter(({ event }) => event.section === 'system' && event.method === 'Remarked' && (event.data.toJSON() as unknown[])[1] === wanted).length;
  }
  return n;
}

/**
 * What a node leaves in LevelDB for a session that ended and waits for settlement: the finished
 * session with its receipt and its settlement job (no budget: as before the deposit ledger).
 */
async function leaveEndedSession(store: LevelStore, s: { consumer: string; keyHex: string; idTag: string; transactionId: number; energyWh: number; cost: bigint; budget?: bigint }): Promise<{ id: string }> {
  const state = (await store.stations.loadState('RESTART-CP'))!;
  const id = randomUUID();
  const now = new Date().toISOString();
  const budget = s.budget === undefined ? '' : String(s.budget);
  const split = s.budget === undefined ? { spentAmount: '', refundAmount: '', unpaidAmount: '' } : { spentAmount: String(s.cost), refundAmount: String(s.budget - s.cost), unpaidAmount: '0' };
  const session = {
    id, station: 'RESTART-CP', connectorId: 1, consumerPublicKey: s.consumer, consumerKeyHex: s.keyHex, idTag: s.idTag, state: 'stopped' as const,
    remoteStartId: 0, transactionId: s.transactionId, ocppTransactionId: '', createdAt: now, updatedAt: now, reason: '', expiresAt: now, stoppedBy: 'consumer' as const, contract: '', budget, stopReason: '', reservationId: 0,
    receipt: {
      sessionId: id, station: 'RESTART-CP', connectorId: 1, consumerPublicKey: s.consumer, energyWh: s.energyWh, durationS: 60, energyAmount: String(s.cost), timeAmount: '0', sessionFee: '0',
      totalAmount: String(s.cost), signedMeterValues: [], issuedAt: now, stopReason: '', budget, ...split,
    },
  };
  await store.commit({
    ...emptyChange('RESTART-CP', state),
    finishedSessions: [session],
    settlements: [{ sessionId: id, station: 'RESTART-CP', spent: String(s.cost), createdAt: now, attempts: 0, lastError: '', budget, consumerKeyHex: s.budget === undefined ? '' : s.keyHex }],
  });
  return { id };
}
