import type { KeyringPair } from '@polkadot/keyring/types';
import type { Call } from '@polkadot/types/interfaces';
import type { SettlementRecord } from '../src/domain/charge-point-service.ts';
import type { KeyedQueue } from '../src/domain/keyed-queue.ts';
import { divideBudget } from '../src/domain/ledger.ts';
import type { Logger } from '../src/log/logger.ts';
import type {
  P2p_TransactionValue as TransactionValue, Session_ConsumerSession as ConsumerSession, Store_Debt as Debt, Store_Payout as Payout,
  Store_SettlementJob as SettlementJob,
} from '../src/proto/types.ts';
import { SerialTask } from '../src/serial-task.ts';
import type { ChainClient, Inclusion } from './client.ts';
import type { DepositLedger } from './deposit-ledger.ts';
import { callHash, firstApproval, operations, otherSignatories, type Timepoint } from './multisig.ts';
import { PayoutWatcher } from './payout-watcher.ts';
import { deliveryRemark, pendingFrom, recordedSince } from './delivery-records.ts';
import { payoutCall, type PayoutKind } from './payouts.ts';

/** Where settlement jobs, sessions, payouts and debts live (LevelDB, wired in gateway/). */
export interface SettlementStore {
  settlements: {
    pendingSettlements(limit: number): Promise<SettlementJob[]>;
    putSettlement(job: SettlementJob): Promise<void>;
    openPayouts(): Promise<Payout[]>;
    payouts(keyHex?: string): Promise<Payout[]>;
    debts(keyHex?: string): Promise<Debt[]>;
  };
  sessions: { load(identity: string, sessionId: string): Promise<ConsumerSession | undefined> };
}

export interface SettlementOptions {
  chain: () => ChainClient | undefined;
  gateway: KeyringPair;
  store: SettlementStore;
  ledger: DepositLedger;
  /** The consumers' locks, shared with authorization: what spends a deposit runs under them. */
  consumerLocks: KeyedQueue;
  /** Commits one station's settlement step atomically (ChargePointService.recordSettlement). */
  record: (identity: string, r: SettlementRecord) => Promise<void>;
  log: Logger;
  intervalMs?: number;
  batchSize?: number;
  /** Wait for finality, not only inclusion, before telling the consumer. */
  finality?: boolean;
  /** Sessions that end within this window are settled in one batch (one block). */
  batchWindowMs?: number;
}

/** A payout about to be approved: what it pays, its call, and its operation if already open. */
interface PlannedPayout {
  record: Payout;
  call: Call;
  consumerKey: Uint8Array;
  existing?: Timepoint;
}

/** What one settled session or debt payment commits. */
interface Plan {
  station: string;
  session: ConsumerSession;
  job?: SettlementJob;
  payouts: PlannedPayout[];
  /** The debt record after this step (a new remainder, or one paid down). */
  debt?: Debt;
}

const ZERO_HASH = `0x${'0'.repeat(64)}`;

export function transactionValue(p: Payout): TransactionValue {
  return {
    tokenNum: p.amount, txHash: p.approvalTxHash, callHash: p.callHash,
    ...(p.timePoint ? { timePoint: { height: p.timePoint.height, index: p.timePoint.index } } : {}),
    sessionId: p.sessionId, kind: p.kind, seq: p.seq,
  };
}

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Runs `task` holding the locks of all these consumers (taken in sorted order). */
function underLocks<T>(locks: KeyedQueue, keys: string[], task: () => Promise<T>): Promise<T> {
  const [first, ...rest] = [...new Set(keys)].sort();
  if (first === undefined) return task();
  return locks.run(first, () => underLocks(locks, rest, task));
}

/**
 * Settles finished sessions from the durable queue. Each session's budget divides into
 * spent (to the gateway, at most the budget) and refund (the rest, to the consumer); what it
 * cost beyond is recorded as a debt, paid from the deposit once funds are there. Each payout
 * is its own multisig operation, unique to its session, approved by the gateway (several
 * sessions in one `utility.batchAll`); the delivery is recorded on chain and SERVICE_DELIVERED
 * sent. The payout watcher then executes or follows each payout until the chain paid it.
 * Before approving, the chain is asked whether the operation is open already, so a retry
 * after a crash never approves twice. While the chain is away the jobs wait; nothing is lost.
 */
export class SettlementService {
  private readonly opts: SettlementOptions;
  private readonly rounds: SerialTask;
  private readonly timer: NodeJS.Timeout;
  private readonly watcher: PayoutWatcher;
  private window: NodeJS.Timeout | undefined;
  private roundsCompleted = 0;

  constructor(opts: SettlementOptions) {
    this.opts = opts;
    this.watcher = new PayoutWatcher({ gateway: opts.gateway, store: opts.store, record: opts.record, log: opts.log, ...(opts.finality ? { finality: true } : {}) });
    this.rounds = new SerialTask(() => this.run(), (err) => opts.log.warn('settlement round failed; will retry', { err: err instanceof Error ? err.message : String(err) }));
    this.timer = setInterval(() => this.rounds.request(), opts.intervalMs ?? 3_000);
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

  /**
   * No more rounds. The one under way gets a few seconds to finish; one still waiting on the
   * chain then is abandoned, which is safe: its writes fail on the closed store, and the next
   * start finds any operation it opened on chain rather than opening it again.
   */
  async stop(graceMs = 5_000): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.window);
    this.rounds.close();
    await Promise.race([this.rounds.current, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  private async run(): Promise<void> {
    const chain = this.opts.chain();
    if (!chain?.isConnected) return;
    await this.settleJobs(chain);
    await this.collectDebts(chain);
    await this.watcher.round(chain);
    this.roundsCompleted++;
  }

  /** Rounds completed with the chain connected (the node's metric; proof that settlement runs). */
  get completedRounds(): number {
    return this.roundsCompleted;
  }

  private async settleJobs(chain: ChainClient): Promise<void> {
    const jobs = await this.opts.store.settlements.pendingSettlements(this.opts.batchSize ?? 20);
    if (!jobs.length) return;
    const sessions = new Map<string, ConsumerSession>();
    for (const job of jobs) {
      const session = await this.opts.store.sessions.load(job.station, job.sessionId);
      if (session) sessions.set(job.sessionId, session);
      else await this.failed(job, new Error(`session ${job.sessionId} of ${job.station} is not stored`));
    }
    const ready = jobs.filter((j) => sessions.has(j.sessionId));
    // Sessions without a budget (authorized before the ledger) take what is available, so
    // they hold their consumer's lock like an authorization.
    await underLocks(this.opts.consumerLocks, ready.map((j) => sessions.get(j.sessionId)!.consumerKeyHex), async () => {
      const taken = new Map<string, bigint>();
      const plans: Plan[] = [];
      for (const job of ready) {
        try {
          plans.push(await this.planSession(chain, job, sessions.get(job.sessionId)!, taken));
        } catch (err) {
          await this.failed(job, err);
        }
      }
      if (!plans.length) return;
      try {
        await this.approve(chain, plans);
      } catch (err) {
        for (const p of plans) await this.failed(p.job!, err);
      }
    });
  }

  /** Budgeted: spent = min(cost, budget), refund = budget − spent. Without a budget: what is available. */
  private async planSession(chain: ChainClient, job: SettlementJob, session: ConsumerSession, taken: Map<string, bigint>): Promise<Plan> {
    const consumerKey = Buffer.from(session.consumerKeyHex, 'hex');
    const cost = BigInt(job.spent || '0');
    let spent: bigint;
    let refund = 0n;
    let unpaid: bigint;
    if (job.budget) {
      ({ spent, refund, unpaid } = divideBudget(cost, BigInt(job.budget)));
    } else {
      const position = await this.opts.ledger.position(chain, consumerKey);
      const free = position.available - (taken.get(session.consumerKeyHex) ?? 0n);
      spent = free <= 0n ? 0n : cost < free ? cost : free;
      unpaid = cost - spent;
      taken.set(session.consumerKeyHex, (taken.get(session.consumerKeyHex) ?? 0n) + spent);
    }
    const payouts = [
      this.payout(chain, session, 'spent', 0, spent),
      this.payout(chain, session, 'refund', 0, refund),
    ].filter((p): p is PlannedPayout => p !== undefined);
    const now = new Date().toISOString();
    const debt = unpaid > 0n
      ? { sessionId: session.id, station: job.station, consumerKeyHex: session.consumerKeyHex, amount: unpaid.toString(), createdAt: now, payouts: 0 }
      : undefined;
    if (unpaid > 0n) this.opts.log.warn('the deposit does not cover the session; the remainder is owed', { session: session.id, cost: job.spent, unpaid: unpaid.toString() });
    return { station: job.station, session, job, payouts, ...(debt ? { debt } : {}) };
  }

  private payout(chain: ChainClient, session: ConsumerSession, kind: PayoutKind, seq: number, amount: bigint): PlannedPayout | undefined {
    if (amount <= 0n) return undefined;
    const consumerKey = Buffer.from(session.consumerKeyHex, 'hex');
    const to = kind === 'refund' ? chain.address(consumerKey) : chain.address(this.opts.gateway.publicKey);
    const call = payoutCall(chain, { sessionId: session.id, kind, seq, to, amount });
    return {
      call,
      consumerKey,
      record: {
        sessionId: session.id, station: session.station, consumerKeyHex: session.consumerKeyHex, kind, seq, amount: amount.toString(), to,
        multisig: chain.multisigAddress([consumerKey, this.opts.gateway.publicKey]), call: call.toHex(), callHash: callHash(call),
        state: 'open', approvalTxHash: '', executedBlock: 0, executedBy: '', createdAt: new Date().toISOString(), failure: '',
      },
    };
  }

  /**
   * Debts are paid from what the deposit has available once the consumer funded it again:
   * a payout of kind "debt" per step, told to the consumer with SERVICE_DELIVERED.
   */
  private async collectDebts(chain: ChainClient): Promise<void> {
    const debts = await this.opts.store.settlements.debts();
    if (!debts.length) return;
    await underLocks(this.opts.consumerLocks, debts.map((d) => d.consumerKeyHex), async () => {
      const plans: Plan[] = [];
      const byConsumer = groupBy(debts, (d) => d.consumerKeyHex);
      for (const [keyHex, owed] of byConsumer) {
        let available = (await this.opts.ledger.position(chain, Buffer.from(keyHex, 'hex'))).available;
        for (const debt of owed) {
          if (available <= 0n) break;
          const session = await this.opts.store.sessions.load(debt.station, debt.sessionId);
          if (!session) continue;
          const remaining = BigInt(debt.amount);
          const amount = remaining < available ? remaining : available;
          available -= amount;
          const seq = debt.payouts + 1;
          const planned = this.payout(chain, session, 'debt', seq, amount)!;
          plans.push({ station: debt.station, session, payouts: [planned], debt: { ...debt, amount: (remaining - amount).toString(), payouts: seq } });
        }
      }
      if (plans.length) await this.approve(chain, plans);
    });
  }

  /** Opens every planned payout's operation (one batch), records deliveries, then commits. */
  private async approve(chain: ChainClient, plans: Plan[]): Promise<void> {
    const { gateway } = this.opts;
    const all = plans.flatMap((p) => p.payouts);
    const open = await operations(chain, all.map((o) => [o.record.multisig, o.record.callHash]));
    all.forEach((o, i) => {
      const op = open[i];
      if (op) o.existing = op.when;
    });
    const fresh = all.filter((o) => !o.existing);
    let inclusion: Inclusion | undefined;
    if (fresh.length) {
      const approvals = fresh.map((o) => firstApproval(chain, otherSignatories(chain, [o.consumerKey, gateway.publicKey], gateway.publicKey), o.call));
      inclusion = await chain.submit(approvals.length === 1 ? approvals[0]! : chain.api.tx.utility.batchAll(approvals), gateway, this.opts.finality);
      this.opts.log.info('payouts approved by the gateway', { payouts: fresh.length, block: inclusion.blockNumber, index: inclusion.index });
    }
    for (const o of all) {
      const tp = o.existing ?? (inclusion ? { height: inclusion.blockNumber, index: inclusion.index } : undefined);
      if (tp) o.record.timePoint = tp;
      o.record.approvalTxHash = o.existing ? o.record.approvalTxHash : (inclusion?.txHash ?? '');
    }
    const settledPlans = plans.filter((p) => p.job);
    // A retry (some approvals were open already): the node may have sent the record and stopped
    // before keeping that it did; what is on chain already is not sent (and paid for) again.
    const since = Math.min(...all.filter((o) => o.existing).map((o) => o.existing!.height));
    let toRecord = settledPlans;
    if (Number.isFinite(since) && settledPlans.length) {
      const me = chain.address(gateway.publicKey);
      const { found, unknown } = await recordedSince(chain, me, since, settledPlans.map((p) => ({
        sessionId: p.session.id, remark: deliveryRemark(p.session.id, p.session.receipt), callHashes: p.payouts.map((o) => o.record.callHash),
      })));
      if (found.size) this.opts.log.info('delivery records found on chain already; not sent again', { sessions: [...found] });
      if (unknown) {
        // Rather a missing record (logged) than one sent and paid for twice.
        this.opts.log.warn('cannot tell whether these deliveries were recorded on chain before the node stopped; not sending the record again', { sessions: settledPlans.map((p) => p.session.id), why: unknown });
        toRecord = [];
      } else {
        toRecord = settledPlans.filter((p) => !found.has(p.session.id));
        // A record sent before may still wait in the pool: decided in a later round.
        if (toRecord.length && await pendingFrom(chain, me)) throw new Error('a transaction of the gateway still waits in the pool; the delivery record waits for it');
      }
    }
    const record = toRecord.length ? await this.recordDeliveries(chain, toRecord) : settledPlans.length ? recordKind(chain) : undefined;
    const byStation = groupBy(plans, (p) => p.station);
    for (const [station, group] of byStation) {
      const step: SettlementRecord = { sessions: [], jobsDone: [], payouts: [], debts: [], delivered: [] };
      for (const p of group) {
        const values = Object.fromEntries(p.payouts.map((o) => [o.record.kind, transactionValue(o.record)]));
        step.payouts.push(...p.payouts.map((o) => o.record));
        if (p.debt) step.debts.push(p.debt);
        if (p.job) {
          const session: ConsumerSession = {
            ...p.session,
            state: 'settled',
            settlement: {
              multisig: chain.multisigAddress([Buffer.from(p.session.consumerKeyHex, 'hex'), gateway.publicKey]),
              ...(values.spent ? { spentInfo: values.spent } : {}), ...(values.refund ? { refundInfo: values.refund } : {}),
              approvalTxHash: inclusion?.txHash ?? '', record: record ?? '', settledAt: new Date().toISOString(),
              provider: chain.address(gateway.publicKey), unpaid: p.debt?.amount ?? '0', paidAt: '',
            },
          };
          step.sessions.push(session);
          step.jobsDone.push(p.job.sessionId);
          step.delivered.push(session);
        } else if (values.debt) {
          // A debt payment: the wallet approves it like a spent payout.
          step.delivered.push({ ...p.session, settlement: { ...p.session.settlement!, spentInfo: values.debt, refundInfo: undefined } });
        }
      }
      await this.opts.record(station, step);
    }
  }

  /**
   * The on-chain service-delivered record: `transaction.serviceDelivered` where peaq's pallet
   * exists, otherwise `system.remarkWithEvent` of the receipt's hash. Returns which it was.
   */
  private async recordDeliveries(chain: ChainClient, plans: Plan[]): Promise<string> {
    const calls = plans.map((p) => {
      const value = (kind: PayoutKind) => p.payouts.find((o) => o.record.kind === kind)?.record;
      if (chain.shape.transactionPallet) {
        const info = (o: Payout | undefined) => ({
          tokenNum: o?.amount ?? '0', txHash: o?.approvalTxHash || ZERO_HASH,
          timePoint: { height: o?.timePoint?.height ?? 0, index: o?.timePoint?.index ?? 0 }, callHash: o?.callHash || ZERO_HASH,
        });
        return chain.api.tx.transaction!.serviceDelivered!(chain.address(Buffer.from(p.session.consumerKeyHex, 'hex')), info(value('refund')), info(value('spent')));
      }
      return chain.api.tx.system.remarkWithEvent(deliveryRemark(p.session.id, p.session.receipt));
    });
    const recorded = await chain.submit(calls.length === 1 ? calls[0]! : chain.api.tx.utility.batchAll(calls), this.opts.gateway, this.opts.finality);
    this.opts.log.info('sessions settled', { sessions: plans.length, recordBlock: recorded.blockNumber });
    return recordKind(chain);
  }

  private async failed(job: SettlementJob, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.opts.log.warn('settlement attempt failed; will retry', { session: job.sessionId, err: message });
    await this.opts.store.settlements.putSettlement({ ...job, attempts: job.attempts + 1, lastError: message });
  }
}

/** Which call records a delivery on this chain. */
function recordKind(chain: ChainClient): string {
  return chain.shape.transactionPallet ? 'transaction.serviceDelivered' : 'system.remarkWithEvent';
}
