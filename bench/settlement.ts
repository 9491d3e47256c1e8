// Settlement throughput on a real local chain (chopsticks, a block per transaction): sessions
// settled per block and per second, one by one (batchSize 1) against batched (utility.batchAll).
//   node bench/settlement.ts [sessions=40] [batchSizes=1,20,40]
// The SettlementService is the gateway's own; its queue is held in memory here (the bench
// measures the chain side, not LevelDB). Each session's deposit sits in its consumer-gateway
// multisig; the service approves both payouts (spent, refund) and records the delivery. The
// payouts are not executed here (no consumer approves them), so the watcher has nothing to do.
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { ChainClient } from '../chain/client.ts';
import { startDevChain } from '../test/helpers/dev-chain.ts';
import { DepositLedger } from '../chain/deposit-ledger.ts';
import { SettlementService, type SettlementStore } from '../chain/settlement.ts';
import { KeyedQueue } from '../src/domain/keyed-queue.ts';
import { silentLogger } from '../src/log/logger.ts';
import type { Session_ConsumerSession as ConsumerSession, Store_SettlementJob as SettlementJob } from '../src/proto/types.ts';

const sessions = Number(process.argv[2] ?? 40);
const batchSizes = (process.argv[3] ?? '1,20,40').split(',').map(Number);
const PEAQ = 10n ** 18n;

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519' });
const funder = keyring.addFromSeed(randomBytes(32));
const gatewayPair = new Keyring({ type: 'ed25519' }).addFromSeed(randomBytes(32));
const chain = await startDevChain({ endowed: { [funder.address]: 1_000_000n * PEAQ, [encodeAddress(gatewayPair.publicKey, 42)]: 1_000n * PEAQ } });
const client = await ChainClient.connect(chain.endpoint);
const blockNumber = async (): Promise<number> => (await client.api.rpc.chain.getHeader()).number.toNumber();

console.log(`| batch size | sessions | blocks | sessions per block | wall time | sessions/s |`);
console.log('|---|---|---|---|---|---|');
for (const batchSize of batchSizes) {
  // Fresh consumers, their deposits funded in one block.
  const consumers = Array.from({ length: sessions }, () => keyring.addFromSeed(randomBytes(32)));
  const deposits = consumers.map((c) => client.transfer(client.multisigAddress([c.publicKey, gatewayPair.publicKey]), 2n * PEAQ));
  await client.submit(client.api.tx.utility.batchAll(deposits), funder);

  const stored = new Map<string, ConsumerSession>();
  const queue = new Map<string, SettlementJob>();
  consumers.forEach((c, i) => {
    const id = `S-${batchSize}-${i}`;
    stored.set(id, {
      id, consumerKeyHex: Buffer.from(c.publicKey).toString('hex'), consumerPublicKey: c.address, state: 'stopped', receipt: { sessionId: id, totalAmount: String(PEAQ / 2n) },
    } as ConsumerSession);
    queue.set(id, {
      sessionId: id, station: 'BENCH-CP', spent: String(PEAQ / 2n), createdAt: new Date().toISOString(), attempts: 0, lastError: '',
      budget: String(2n * PEAQ), consumerKeyHex: Buffer.from(c.publicKey).toString('hex'),
    });
  });
  let settled = 0;
  let done: () => void = () => {};
  const allSettled = new Promise<void>((resolve) => { done = resolve; });
  const store: SettlementStore = {
    settlements: {
      pendingSettlements: async (limit) => [...queue.values()].slice(0, limit),
      putSettlement: async (job) => { queue.set(job.sessionId, job); },
      openPayouts: async () => [],
      payouts: async () => [],
      debts: async () => [],
    },
    sessions: { load: async (_station, id) => stored.get(id) },
  };
  const ledger = new DepositLedger({
    chain: () => client, gatewayKey: gatewayPair.publicKey, minimumBudget: PEAQ,
    records: { activeSessionsOf: async () => [], settlementsOf: async () => [], payouts: async () => [], debts: async () => [] },
  });
  const service = new SettlementService({
    chain: () => client, gateway: gatewayPair, store, ledger, consumerLocks: new KeyedQueue(), batchSize, batchWindowMs: 0, intervalMs: 60_000, log: silentLogger,
    record: async (_station, step) => {
      for (const id of step.jobsDone) queue.delete(id);
      settled += step.jobsDone.length;
      if (settled === sessions) done();
      else service.nudge();
    },
  });
  const firstBlock = await blockNumber();
  const started = performance.now();
  service.nudge();
  await allSettled;
  const seconds = (performance.now() - started) / 1000;
  const blocks = (await blockNumber()) - firstBlock;
  await service.stop();
  const failed = [...queue.values()].filter((j) => j.attempts > 0).length;
  console.log(`| ${batchSize} | ${settled} | ${blocks} | ${(settled / blocks).toFixed(1)} | ${seconds.toFixed(1)} s | ${(settled / seconds).toFixed(1)} |${failed ? ` ${failed} retried` : ''}`);
}
await client.disconnect();
await chain.close();
