import { createHash } from 'node:crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Logger } from '../src/log/logger.ts';
import { SerialTask } from '../src/serial-task.ts';
import type { P2p_TransactionValue as TransactionValue, Session_ConsumerSession as ConsumerSession, Store_SettlementJob as SettlementJob } from '../src/proto/types.ts';
import type { ChainClient, Inclusion } from './client.ts';
import { callHash, firstApproval, otherSignatories, payoutCall, pendingOperation, type Timepoint } from './multisig.ts';

/** Where settlement jobs and finished sessions live (LevelDB, wired in gateway/). */
export interface SettlementStore {
  pendingSettlements(limit: number): Promise<SettlementJob[]>;
  putSettlement(job: SettlementJob): Promise<void>;
  loadSession(identity: string, sessionId: string): Promise<ConsumerSession | undefined>;
}

export interface SettlementOptions {
  chain: () => ChainClient | undefined;
  gateway: KeyringPair;
  store: SettlementStore;
  /** Commits the settled session (and publishes SERVICE_DELIVERED). */
  settled: (identity: string, session: ConsumerSession) => Promise<void>;
  log: Logger;
  intervalMs?: number;
  batchSize?: number;
  /** Wait for finality, not only inclusion, before telling the consumer. */
  finality?: boolean;
  /** Sessions that end within this window are settled in one batch (one block). */
  batchWindowMs?: number;
}

interface Plan {
  job: SettlementJob;
  session: ConsumerSession;
  multisig: string;
  payouts: { kind: 'spent' | 'refund'; amount: bigint; call: ReturnType<typeof payoutCall>; existing?: Timepoint }[];
}

const value = (amount: bigint, hash: string, txHash: string, tp: Timepoint | undefined): TransactionValue => ({
  tokenNum: amount.toString(), txHash, callHash: hash, ...(tp ? { timePoint: { height: tp.height, index: tp.index } } : {}),
});

/**
 * Settles finished sessions from the durable queue: for each, the spent payout (to the
 * gateway) and the refund (to the consumer) are approved from the 2-of-2 multisig (the
 * consumer's final approval executes them), several sessions in one `utility.batchAll`; then
 * the delivery is recorded on chain and SERVICE_DELIVERED sent. Before approving, the chain is
 * asked whether the operation is open already, so a retry after a crash never approves twice.
 * While the chain is away the jobs wait; nothing is lost.
 */
export class SettlementService {
  private readonly opts: SettlementOptions;
  private readonly rounds: SerialTask;
  private readonly timer: NodeJS.Timeout;
  private window: NodeJS.Timeout | undefined;

  constructor(opts: SettlementOptions) {
    this.opts = opts;
    this.rounds = new SerialTask(() => this.run(), (err) => opts.log.warn('settlement round failed; will retry', { err: err instanceof Error ? err.message : String(err) }));
    this.timer = setInterval(() => this.nudge(), opts.intervalMs ?? 5_000);
    this.timer.unref();
  }

  /** New work: settle after the batching window, gathering the sessions that end meanwhile. */
  nudge(): void {
    if (this.window) return;
    this.window = setTimeout(() => {
      this.window = undefined;
      this.rounds.request();
    }, this.opts.batchWindowMs ?? 500);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.window);
    await this.rounds.current;
  }

  private async run(): Promise<void> {
    const chain = this.opts.chain();
    if (!chain?.isConnected) return;
    const jobs = await this.opts.store.pendingSettlements(this.opts.batchSize ?? 20);
    if (!jobs.length) return;
    const plans: Plan[] = [];
    for (const job of jobs) {
      try {
        plans.push(await this.plan(chain, job));
      } catch (err) {
        await this.failed(job, err);
      }
    }
    if (!plans.length) return;
    try {
      await this.approve(chain, plans);
    } catch (err) {
      for (const p of plans) await this.failed(p.job, err);
    }
  }

  private async failed(job: SettlementJob, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.opts.log.warn('settlement attempt failed; will retry', { session: job.sessionId, err: message });
    await this.opts.store.putSettlement({ ...job, attempts: job.attempts + 1, lastError: message });
  }

  private async plan(chain: ChainClient, job: SettlementJob): Promise<Plan> {
    const session = await this.opts.store.loadSession(job.station, job.sessionId);
    if (!session) throw new Error(`session ${job.sessionId} of ${job.station} is not stored`);
    const consumerKey = Buffer.from(session.consumerKeyHex, 'hex');
    const multisig = chain.multisigAddress([consumerKey, this.opts.gateway.publicKey]);
    const balance = await chain.freeBalance(multisig);
    const owed = BigInt(job.spent);
    const spent = owed < balance ? owed : balance;
    if (spent < owed) this.opts.log.warn('the deposit does not cover the session', { session: job.sessionId, owed: job.spent, deposit: balance.toString() });
    const payouts: Plan['payouts'] = [];
    const gatewayAddress = chain.address(this.opts.gateway.publicKey);
    const consumerAddress = chain.address(consumerKey);
    for (const [kind, to, amount] of [['spent', gatewayAddress, spent], ['refund', consumerAddress, balance - spent]] as const) {
      if (amount <= 0n) continue;
      const call = payoutCall(chain, to, amount);
      const existing = await pendingOperation(chain, multisig, call);
      payouts.push({ kind, amount, call, ...(existing ? { existing } : {}) });
    }
    return { job, session, multisig, payouts };
  }

  private async approve(chain: ChainClient, plans: Plan[]): Promise<void> {
    const { gateway } = this.opts;
    const approvals = plans.flatMap((p) => p.payouts.filter((o) => !o.existing).map((o) =>
      firstApproval(chain, otherSignatories(chain, [Buffer.from(p.session.consumerKeyHex, 'hex'), gateway.publicKey], gateway.publicKey), o.call)));
    let inclusion: Inclusion | undefined;
    if (approvals.length) {
      inclusion = await chain.submit(approvals.length === 1 ? approvals[0]! : chain.api.tx.utility.batchAll(approvals), gateway, this.opts.finality);
      this.opts.log.info('settlement payouts approved', { sessions: plans.length, block: inclusion.blockNumber, index: inclusion.index });
    }
    const timepoint = inclusion && { height: inclusion.blockNumber, index: inclusion.index };
    const records = plans.map((p) => {
      const infos = Object.fromEntries(p.payouts.map((o) => [o.kind, value(o.amount, callHash(o.call), inclusion?.txHash ?? '', o.existing ?? timepoint)]));
      return { p, spent: infos.spent ?? value(0n, '', '', undefined), refund: infos.refund ?? value(0n, '', '', undefined) };
    });
    const recordCalls = records.map(({ p, spent, refund }) => {
      if (chain.features.transactionPallet) {
        const info = (v: TransactionValue) => ({ tokenNum: v.tokenNum, txHash: v.txHash || '0x'.padEnd(66, '0'), timePoint: { height: v.timePoint?.height ?? 0, index: v.timePoint?.index ?? 0 }, callHash: v.callHash || '0x'.padEnd(66, '0') });
        return chain.api.tx.transaction!.serviceDelivered!(chain.address(Buffer.from(p.session.consumerKeyHex, 'hex')), info(refund), info(spent));
      }
      const receiptHash = createHash('sha256').update(JSON.stringify(p.session.receipt)).digest('hex');
      return chain.api.tx.system.remarkWithEvent(`charging-gateway:service-delivered:${p.session.id}:${receiptHash}`);
    });
    const recorded = await chain.submit(recordCalls.length === 1 ? recordCalls[0]! : chain.api.tx.utility.batchAll(recordCalls), gateway, this.opts.finality);
    for (const { p, spent, refund } of records) {
      const session: ConsumerSession = {
        ...p.session,
        state: 'settled',
        settlement: {
          multisig: p.multisig, spentInfo: spent, refundInfo: refund, approvalTxHash: inclusion?.txHash ?? '',
          record: chain.features.transactionPallet ? 'transaction.serviceDelivered' : 'system.remarkWithEvent',
          settledAt: new Date().toISOString(), provider: chain.address(gateway.publicKey),
        },
      };
      await this.opts.settled(p.job.station, session);
    }
    this.opts.log.info('sessions settled', { sessions: plans.length, recordBlock: recorded.blockNumber });
  }
}
