// The money on a REAL local chain (chopsticks): every session reserves its budget from the
// consumer's deposit, payouts are unique per session, every order of approvals pays each
// payout exactly, a session stops at its budget, and what a deposit did not cover is owed
// until paid. Balances are checked to the unit from the chain's own Transfer events.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { approvePayouts, PayoutMismatch } from '../../chain/approve.ts';
import { ChainClient } from '../../chain/client.ts';
import { fundDeposit } from '../../chain/deposit.ts';
import { startDevChain, testChainSpec, type DevChain } from '../helpers/dev-chain.ts';
import { openOperations } from '../../chain/multisig.ts';
import { loadOrCreateGatewayKey, type GatewayKey } from '../../src/crypto/gateway-key.ts';
import { codecFor } from '../../src/proto/codec.ts';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { approveByHash, deliveries, executePayout, PEAQ, payoutValues, total, transfersFrom } from '../helpers/money.ts';
import { CHAIN_WAIT_MS, eventually } from '../helpers/wait.ts';

const envelopeCodec = codecFor('cgw.SignedEnvelope');

// The scenarios are independent (a consumer and a station each), so they run concurrently,
// against one node and one chain, as consumers would.
describe('the deposit ledger on a real local chain', { concurrency: true }, () => {
  let chain: DevChain;
  let client: ChainClient;
  let gw: TestGateway;
  let key: GatewayKey;
  const chargers = new Map<string, Charger>();
  const cp = (station: string) => chargers.get(station)!;
  const keyring = new Keyring({ type: 'sr25519' });
  const consumers: KeyringPair[] = [];
  const consumer = (i: number) => consumers[i]!;
  const hex = (c: KeyringPair) => Buffer.from(c.publicKey).toString('hex');

  before(async () => {
    await cryptoWaitReady();
    for (let i = 0; i < 10; i++) consumers.push(keyring.addFromSeed(randomBytes(32)));
    const dataDir = tempDir('cgw-ledger-');
    key = (await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'))).key;
    const endowed = Object.fromEntries([...consumers.map((c) => [c.address, 100n * PEAQ] as const), [encodeAddress(key.publicKey, 42), 100n * PEAQ] as const]);
    chain = await startDevChain({ specFile: testChainSpec(), endowed });
    client = await ChainClient.connect(chain.endpoint);
    gw = await startTestGateway({ chain: { endpoint: chain.endpoint, minimumDeposit: String(PEAQ) } }, dataDir);
    await eventually(() => gw.chain?.client()?.isConnected, CHAIN_WAIT_MS);
    for (const station of ['LEDGER-1', 'LEDGER-2', 'LEDGER-3', 'LEDGER-4', 'LEDGER-5', 'LEDGER-6', 'LEDGER-7', 'LEDGER-8', 'LEDGER-9', 'LEDGER-10', 'LEDGER-201']) {
      const charger = await Charger.connect(gw.url, station, station === 'LEDGER-201' ? 'ocpp2.0.1' : 'ocpp1.6');
      for (const c of charger.is16 ? [1, 2] : [1]) await charger.status(c, 'Available');
      chargers.set(station, charger);
    }
  });
  after(async () => {
    for (const charger of chargers.values()) await charger.close();
    await gw?.cleanup();
    await client?.disconnect();
    await chain?.close();
  });

  const multisigOf = (c: KeyringPair) => client.multisigAddress([c.publicKey, key.publicKey]);
  const gatewayAddress = () => client.address(key.publicKey);

  /** A whole session: authorize with a budget, start, meter `wh`, stop; returns the receipt. */
  async function session(c: KeyringPair, station: string, connectorId: number, wh: number, budget?: bigint) {
    await gw.bridge.authorize({ station, consumerKey: c.address, ...(budget ? { budget } : {}) });
    await gw.bridge.start({ station, connectorId, consumerKey: c.address });
    await cp(station).meterValues(connectorId, wh);
    return gw.bridge.stop({ station, connectorId, consumerKey: c.address });
  }

  async function finished(c: KeyringPair, state: string, count = 1) {
    return eventually(async () => {
      const all = await gw.store.sessions.ofConsumer(hex(c));
      return all.filter((s) => s.state === state).length >= count ? all : undefined;
    }, CHAIN_WAIT_MS, `${count} session(s) never reached ${state}`);
  }

  it('never promises a deposit twice: a second session waits until the first is paid (seen: 4 PEAQ promised from 2)', async () => {
    const c = consumer(0);
    const start = (await client.head()).number;
    await fundDeposit(client, c, key.publicKey, 2n * PEAQ);
    const receipt = await session(c, 'LEDGER-1', 1, 3_000, 2n * PEAQ);
    assert.equal(receipt.totalAmount, String(15n * PEAQ / 10n));
    assert.equal(receipt.budget, String(2n * PEAQ));
    assert.equal(receipt.spentAmount, String(15n * PEAQ / 10n));
    assert.equal(receipt.refundAmount, String(5n * PEAQ / 10n));
    await finished(c, 'settled');

    // Its payouts are promised, not yet executed: the same 2 PEAQ cannot back another session.
    await assert.rejects(gw.bridge.authorize({ station: 'LEDGER-1', consumerKey: c.address }), (err: any) => {
      assert.equal(err.code, 'InsufficientDeposit');
      const f = (a: bigint) => client.format(a).replace('.', '\\.');
      assert.match(err.message, new RegExp(`holds ${f(2n * PEAQ)} .*${f(2n * PEAQ)} is promised to payouts not yet executed.* ${f(0n)} is available`));
      return true;
    });

    const approvals = await approvePayouts(client, c, key.publicKey, await deliveries(gw.store, key.publicKey, hex(c)));
    assert.deepEqual(approvals.map((a) => a.outcome), ['executed', 'executed']);
    await finished(c, 'paid');
    const transfers = await transfersFrom(client, multisigOf(c), start);
    assert.equal(total(transfers, gatewayAddress()), 15n * PEAQ / 10n, 'the provider got exactly what the session cost');
    assert.equal(total(transfers, client.address(c.publicKey)), 5n * PEAQ / 10n, 'the consumer got exactly the rest of the budget');
    assert.equal(await client.freeBalance(multisigOf(c)), 0n);
    await assert.rejects(gw.bridge.authorize({ station: 'LEDGER-1', consumerKey: c.address }), (err: any) => err.code === 'InsufficientDeposit');
  });

  it('reserves once when a consumer authorizes concurrently on two stations, and makes one session on one station', async () => {
    const c = consumer(1);
    await fundDeposit(client, c, key.publicKey, 15n * PEAQ / 10n);
    const both = await Promise.allSettled([
      gw.bridge.authorize({ station: 'LEDGER-2', consumerKey: c.address }),
      gw.bridge.authorize({ station: 'LEDGER-201', consumerKey: c.address }),
    ]);
    assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1, 'one budget of 1 PEAQ fits in 1.5, two do not');
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(refused.reason.code, 'InsufficientDeposit');
    const station = both[0].status === 'fulfilled' ? 'LEDGER-2' : 'LEDGER-201';
    const again = await Promise.all([1, 2, 3].map(() => gw.bridge.authorize({ station, consumerKey: c.address })));
    assert.equal(new Set(again.map((s) => s.id)).size, 1, 'repeated concurrent authorizations return the one session');
    const active = await gw.service.activeSessionsOf(hex(c));
    assert.equal(active.length, 1);
    assert.equal(active[0]!.budget, String(PEAQ));
  });

  it('gives sessions with identical amounts distinct payouts, and an order of approvals that mixes the sessions pays each exactly', async () => {
    const c = consumer(2);
    const start = (await client.head()).number;
    await fundDeposit(client, c, key.publicKey, 4n * PEAQ);
    // Back to back on one deposit: the second is authorized while the first one's payouts are open.
    await session(c, 'LEDGER-3', 1, 2_000, 2n * PEAQ);
    await finished(c, 'settled');
    await session(c, 'LEDGER-3', 2, 2_000, 2n * PEAQ);
    await finished(c, 'settled', 2);
    const values = payoutValues(await deliveries(gw.store, key.publicKey, hex(c)));
    assert.equal(values.length, 4);
    assert.deepEqual(values.map((v) => v.tokenNum), [PEAQ, PEAQ, PEAQ, PEAQ].map(String), 'identical amounts');
    assert.equal(new Set(values.map((v) => v.callHash)).size, 4, 'yet four distinct calls: no two sessions share a multisig operation');
    assert.equal((await openOperations(client, multisigOf(c))).length, 4);

    // An order that mixes the sessions: refund of the second first, spent of the first last.
    const [s1, r1, s2, r2] = values;
    for (const v of [r2!, s2!, r1!, s1!]) await executePayout(client, c, key.publicKey, v);
    await finished(c, 'paid', 2);
    const transfers = await transfersFrom(client, multisigOf(c), start);
    assert.equal(total(transfers, gatewayAddress()), 2n * PEAQ);
    assert.equal(total(transfers, client.address(c.publicKey)), 2n * PEAQ);
    assert.equal(await client.freeBalance(multisigOf(c)), 0n);
    assert.equal((await openOperations(client, multisigOf(c))).length, 0);
  });

  it('runs two sessions at once on one deposit, each within its own budget, and pays each exactly', async () => {
    const c = consumer(7);
    const start = (await client.head()).number;
    await fundDeposit(client, c, key.publicKey, 4n * PEAQ);
    await Promise.all(['LEDGER-7', 'LEDGER-8'].map((station) => gw.bridge.authorize({ station, consumerKey: c.address, budget: 2n * PEAQ })));
    await assert.rejects(gw.bridge.authorize({ station: 'LEDGER-9', consumerKey: c.address, budget: PEAQ }), (err: any) => err.code === 'InsufficientDeposit', 'both budgets hold the whole deposit');
    await Promise.all(['LEDGER-7', 'LEDGER-8'].map((station) => gw.bridge.start({ station, connectorId: 1, consumerKey: c.address })));
    await Promise.all([cp('LEDGER-7').meterValues(1, 1_000), cp('LEDGER-8').meterValues(1, 3_000)]);
    const [a, b] = await Promise.all(['LEDGER-7', 'LEDGER-8'].map((station) => gw.bridge.stop({ station, connectorId: 1, consumerKey: c.address })));
    assert.deepEqual([a!.spentAmount, a!.refundAmount, b!.spentAmount, b!.refundAmount], [PEAQ / 2n, 3n * PEAQ / 2n, 3n * PEAQ / 2n, PEAQ / 2n].map(String));
    await finished(c, 'settled', 2);
    const approvals = await approvePayouts(client, c, key.publicKey, await deliveries(gw.store, key.publicKey, hex(c)));
    assert.deepEqual(approvals.map((x) => x.outcome), ['executed', 'executed', 'executed', 'executed']);
    await finished(c, 'paid', 2);
    const transfers = await transfersFrom(client, multisigOf(c), start);
    assert.equal(total(transfers, gatewayAddress()), 2n * PEAQ, 'the provider got what both sessions cost');
    assert.equal(total(transfers, client.address(c.publicKey)), 2n * PEAQ, 'the consumer got the rest of both budgets');
    assert.equal(await client.freeBalance(multisigOf(c)), 0n);
  });

  for (const [index, order] of [[3, 'refund first'], [8, 'spent first']] as const) {
    it(`executes the payouts a peaq wallet approves by hash only (approve_as_multi), ${order}`, async () => {
      const c = consumer(index);
      const connectorId = index === 3 ? 1 : 2;
      const start = (await client.head()).number;
      await fundDeposit(client, c, key.publicKey, 2n * PEAQ);
      await session(c, 'LEDGER-4', connectorId, 1_000, 2n * PEAQ);
      await finished(c, 'settled');
      const [spent, refund] = payoutValues(await deliveries(gw.store, key.publicKey, hex(c)));
      assert.equal(spent!.kind, 'spent');
      for (const payout of order === 'refund first' ? [refund!, spent!] : [spent!, refund!]) await approveByHash(client, c, key.publicKey, payout);
      const [paid] = await finished(c, 'paid');
      assert.ok(paid!.settlement!.paidAt);
      const transfers = await transfersFrom(client, multisigOf(c), start);
      assert.equal(total(transfers, gatewayAddress()), PEAQ / 2n);
      assert.equal(total(transfers, client.address(c.publicKey)), 15n * PEAQ / 10n);
      const payouts = await gw.store.settlements.payouts(hex(c));
      assert.deepEqual(payouts.map((p) => [p.kind, p.state, p.executedBy]).sort(), [['refund', 'executed', 'gateway'], ['spent', 'executed', 'gateway']]);
    });
  }

  it('holds a reservation\'s budget in the deposit until the reservation is given up', async () => {
    const c = consumer(9);
    await fundDeposit(client, c, key.publicKey, 2n * PEAQ);
    const reserved = await gw.bridge.reserve({ station: 'LEDGER-10', connectorId: 1, consumerKey: c.address, minutes: 30, budget: 2n * PEAQ });
    assert.deepEqual([reserved.state, reserved.budget, cp('LEDGER-10').reserved.get(1)?.idTag], ['authorized', String(2n * PEAQ), reserved.idTag]);
    await assert.rejects(gw.bridge.authorize({ station: 'LEDGER-9', consumerKey: c.address, budget: PEAQ }), (err: any) => err.code === 'InsufficientDeposit', 'the reservation holds the deposit');
    await assert.rejects(gw.bridge.reserve({ station: 'LEDGER-10', connectorId: 2, consumerKey: keyring.addFromSeed(randomBytes(32)).address }), (err: any) => err.code === 'InsufficientDeposit', 'no deposit, no reservation');
    await gw.bridge.cancel({ station: 'LEDGER-10', consumerKey: c.address });
    await eventually(() => !cp('LEDGER-10').reserved.size, 5_000, 'the station was told to free the connector');
    const session = await gw.bridge.authorize({ station: 'LEDGER-9', consumerKey: c.address, budget: PEAQ });
    assert.equal(session.budget, String(PEAQ));
    await gw.bridge.cancel({ station: 'LEDGER-9', consumerKey: c.address });
  });

  it('refuses a forged receipt or a payout asking more than the receipt, executing nothing', async () => {
    const c = consumer(4);
    await fundDeposit(client, c, key.publicKey, 2n * PEAQ);
    await session(c, 'LEDGER-5', 1, 1_000, 2n * PEAQ);
    await finished(c, 'settled');
    const [d] = await deliveries(gw.store, key.publicKey, hex(c));
    const forged = envelopeCodec.decode(d!.receipt);
    forged.payload = Uint8Array.from(forged.payload);
    forged.payload[forged.payload.length - 3]! ^= 1;
    await assert.rejects(approvePayouts(client, c, key.publicKey, [{ ...d!, receipt: envelopeCodec.encode(forged) }]), PayoutMismatch);
    const greedy = { ...d!.delivered, spentInfo: { ...d!.delivered.spentInfo!, tokenNum: String(2n * PEAQ) } };
    await assert.rejects(approvePayouts(client, c, key.publicKey, [{ receipt: d!.receipt, delivered: greedy }]), PayoutMismatch);
    assert.equal(await client.freeBalance(multisigOf(c)), 2n * PEAQ, 'nothing left the multisig');
    const done = await approvePayouts(client, c, key.publicKey, [d!]);
    assert.deepEqual(done.map((a) => a.outcome), ['executed', 'executed']);
    // Run again (the wallet's "approve" twice): nothing is sent, nothing is paid for.
    const before = await client.freeBalance(c.address);
    const again = await approvePayouts(client, c, key.publicKey, [d!]);
    assert.deepEqual(again.map((a) => a.outcome), ['closed', 'closed']);
    assert.equal(await client.freeBalance(c.address), before, 'no fee spent on a second approval');
  });

  for (const version of ['ocpp2.0.1', 'ocpp1.6'] as const) {
    it(`stops a session at its budget (${version}); what it cost beyond is owed and refused until paid`, async () => {
      const c = consumer(version === 'ocpp1.6' ? 5 : 6);
      const [station, connectorId] = version === 'ocpp1.6' ? ['LEDGER-6', 2] as const : ['LEDGER-201', 1] as const;
      const charger = cp(station);
      const start = (await client.head()).number;
      await fundDeposit(client, c, key.publicKey, PEAQ);
      await gw.bridge.authorize({ station, consumerKey: c.address, budget: PEAQ });
      await gw.bridge.start({ station, connectorId, consumerKey: c.address });
      // 3 kWh at 0.5 PEAQ: 1.5 PEAQ, past the 1 PEAQ budget in one reading.
      await charger.meterValues(connectorId, 3_000);
      const ended = await eventually(async () => (await gw.store.sessions.ofConsumer(hex(c))).find((s) => s.receipt), CHAIN_WAIT_MS, 'the gateway never stopped the session');
      assert.equal(charger.open.has(connectorId), false, 'the charger ended the transaction on the remote stop');
      assert.equal(ended.stoppedBy, 'gateway');
      assert.match(ended.receipt!.stopReason, /budget of 1 PEAQ was reached/);
      assert.equal(ended.receipt!.spentAmount, String(PEAQ));
      assert.equal(ended.receipt!.refundAmount, '0');
      assert.equal(ended.receipt!.unpaidAmount, String(PEAQ / 2n));

      const [settled] = await finished(c, 'settled');
      assert.equal(settled!.settlement!.unpaid, String(PEAQ / 2n));
      assert.deepEqual((await gw.store.settlements.debts(hex(c))).map((d) => d.amount), [String(PEAQ / 2n)]);
      await assert.rejects(gw.bridge.authorize({ station, consumerKey: c.address }), (err: any) => {
        assert.equal(err.code, 'OutstandingDebt');
        assert.ok(err.message.includes(`${client.format(PEAQ / 2n)} unpaid`), err.message);
        return true;
      });
      await approvePayouts(client, c, key.publicKey, await deliveries(gw.store, key.publicKey, hex(c)));

      // Funds arrive: the debt is paid from them first (a payout of kind "debt"), then the consumer may charge again.
      await fundDeposit(client, c, key.publicKey, 15n * PEAQ / 10n);
      const debt = await eventually(async () => payoutValues(await deliveries(gw.store, key.publicKey, hex(c))).find((v) => v.kind === 'debt'), CHAIN_WAIT_MS, 'no debt payout');
      assert.equal(debt.tokenNum, String(PEAQ / 2n));
      assert.deepEqual(await gw.store.settlements.debts(hex(c)), []);
      await approvePayouts(client, c, key.publicKey, await deliveries(gw.store, key.publicKey, hex(c)));
      await finished(c, 'paid');
      const transfers = await transfersFrom(client, multisigOf(c), start);
      assert.equal(total(transfers, gatewayAddress()), 15n * PEAQ / 10n, 'the provider got the whole cost in the end');
      assert.equal(total(transfers, client.address(c.publicKey)), 0n);
      assert.equal(await client.freeBalance(multisigOf(c)), PEAQ);
      const next = await gw.bridge.authorize({ station, consumerKey: c.address });
      assert.equal(next.budget, String(PEAQ));
    });
  }
});
