import type { ConsumerKey } from '../src/crypto/consumer-key.ts';
import { depositPosition, describePosition, type DepositPosition } from '../src/domain/ledger.ts';
import type { Session_ConsumerSession as ConsumerSession, Store_Debt as Debt, Store_Payout as Payout, Store_SettlementJob as SettlementJob } from '../src/proto/types.ts';
import type { ChainClient } from './client.ts';

/** The gateway's own records the ledger reads (the station states and LevelDB, wired in gateway/). */
export interface LedgerRecords {
  /** The consumer's sessions still in the station states (authorized … stopping). */
  activeSessionsOf(keyHex: string): Promise<ConsumerSession[]>;
  /** Ended sessions still waiting for their payouts. */
  settlementsOf(keyHex: string): Promise<SettlementJob[]>;
  payouts(keyHex: string): Promise<Payout[]>;
  debts(keyHex: string): Promise<Debt[]>;
}

export type LedgerRefusal = { code: 'InsufficientDeposit' | 'ChainUnavailable' | 'OutstandingDebt'; message: string };

/**
 * The deposit ledger of each (consumer, gateway) multisig: available = the chain's free
 * balance − payouts promised and not executed − budgets reserved by sessions still running
 * or waiting for settlement. The chain figures are read at one block, and a payout counts
 * as paid only when the chain executed it at or before that block, so nothing is counted
 * twice or promised twice. Callers hold the consumer's lock (shared with settlement).
 */
export class DepositLedger {
  private readonly chain: () => ChainClient | undefined;
  private readonly gatewayKey: Uint8Array;
  private readonly records: LedgerRecords;
  private readonly minimumBudget: bigint;

  constructor(o: { chain: () => ChainClient | undefined; gatewayKey: Uint8Array; records: LedgerRecords; minimumBudget: bigint }) {
    this.chain = o.chain;
    this.gatewayKey = o.gatewayKey;
    this.records = o.records;
    this.minimumBudget = o.minimumBudget;
  }

  /** Where the consumer's deposit stands now. The order of the reads matters (see the comments). */
  async position(client: ChainClient, consumerKey: Uint8Array): Promise<DepositPosition> {
    const keyHex = Buffer.from(consumerKey).toString('hex');
    const multisig = client.multisigAddress([consumerKey, this.gatewayKey]);
    // The chain first: a payout that executes after this read still counts as promised.
    const head = await client.head();
    const free = await client.freeBalance(multisig, head.hash);
    // Running sessions before their settlement jobs, and jobs before payouts: a session that
    // moves from one to the next between two reads is counted twice (safe), never not at all.
    const active = await this.records.activeSessionsOf(keyHex);
    const jobs = await this.records.settlementsOf(keyHex);
    const payouts = await this.records.payouts(keyHex);
    const debts = await this.records.debts(keyHex);
    const reservations = [
      ...active.map((s) => BigInt(s.budget || '0')),
      ...jobs.filter((j) => !active.some((s) => s.id === j.sessionId)).map((j) => BigInt(j.budget || '0')),
    ];
    return depositPosition({
      multisig, block: head.number, free,
      payouts: payouts.map((p) => ({ amount: BigInt(p.amount), state: p.state, executedBlock: p.executedBlock })),
      reservations,
      debts: debts.map((d) => BigInt(d.amount)),
    });
  }

  /**
   * The budget a new session reserves (the requested one, or the minimum deposit), when the
   * deposit covers it and nothing is owed; otherwise a refusal with the figures.
   */
  async reserve(key: ConsumerKey, requested: bigint | undefined): Promise<{ budget: bigint } | LedgerRefusal> {
    const client = this.chain();
    if (!client?.isConnected) return { code: 'ChainUnavailable', message: 'the chain is not reachable, so the deposit cannot be checked; try again shortly' };
    const budget = requested ?? this.minimumBudget;
    if (budget < this.minimumBudget) {
      return { code: 'InsufficientDeposit', message: `a session's budget must be at least ${client.format(this.minimumBudget)} (asked: ${client.format(budget)})` };
    }
    const p = await this.position(client, key.bytes);
    const figures = describePosition(p, (a) => client.format(a));
    if (p.owed > 0n) {
      return { code: 'OutstandingDebt', message: `earlier sessions left ${client.format(p.owed)} unpaid; fund the multisig ${p.multisig} so it can be paid first (${figures})` };
    }
    if (p.available < budget) {
      return { code: 'InsufficientDeposit', message: `the deposit does not cover a budget of ${client.format(budget)}: ${figures}` };
    }
    return { budget };
  }
}
