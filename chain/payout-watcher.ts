import type { KeyringPair } from '@polkadot/keyring/types';
import type { SettlementRecord } from '../src/domain/charge-point-service.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Session_ConsumerSession as ConsumerSession, Store_Debt as Debt, Store_Payout as Payout } from '../src/proto/types.ts';
import type { ChainClient, ChainEvent } from './client.ts';
import { executingApproval, operations, otherSignatories } from './multisig.ts';
import type { SettlementStore } from './settlement.ts';

export interface PayoutWatcherOptions {
  gateway: KeyringPair;
  store: SettlementStore;
  record: (identity: string, r: SettlementRecord) => Promise<void>;
  log: Logger;
  finality?: boolean;
}

/** How a payout's operation ended, as the chain's MultisigExecuted event says. */
interface Outcome {
  ok: boolean;
  block: number;
  by: string;
  failure: string;
}

/** The fields of multisig(Multisig).MultisigExecuted: approving, timepoint, multisig, call_hash, result. */
function executedEvent(e: ChainEvent): { approving: string; multisig: string; callHash: string; result: unknown } | undefined {
  if (!/^multi[sS]ig$/.test(e.section) || e.method !== 'MultisigExecuted') return undefined;
  const [approving, , multisig, callHash, result] = e.data as [string, unknown, string, string, unknown];
  return { approving: String(approving), multisig: String(multisig), callHash: String(callHash).toLowerCase(), result };
}

function outcomeOf(result: unknown, block: number, by: string): Outcome {
  const text = JSON.stringify(result ?? {});
  const failed = /"err"/i.test(text);
  return { ok: !failed, block, by, failure: failed ? text : '' };
}

/**
 * Follows every open payout until the chain has paid it. When the consumer approved a
 * payout by hash only (as the peaq wallet does with approve_as_multi, which executes nothing
 * where calls are not stored on chain), the gateway executes it with the full call. When the
 * consumer executed it, the watcher finds the chain's MultisigExecuted event. A payout is
 * marked executed only from that event with an Ok result, at its block; a failed one moves
 * nothing and its amount is owed again. A session is paid once all its payouts executed.
 */
export class PayoutWatcher {
  private readonly opts: PayoutWatcherOptions;
  // Blocks already searched for a payout's execution (in memory: after a restart the search
  // starts again at the payout's timepoint).
  private readonly searched = new Map<string, number>();

  constructor(opts: PayoutWatcherOptions) {
    this.opts = opts;
  }

  async round(chain: ChainClient): Promise<void> {
    const open = await this.opts.store.settlements.openPayouts();
    if (!open.length) return;
    const ops = await operations(chain, open.map((p) => [p.multisig, p.callHash]));
    const outcomes = new Map<string, Outcome>();
    const approved = open.filter((p, i) => ops[i] && ops[i].approvals.includes(p.consumerKeyHex));
    const closed = open.filter((_, i) => !ops[i]);
    if (approved.length) for (const [hash, o] of await this.execute(chain, approved)) outcomes.set(hash, o);
    if (closed.length) for (const [hash, o] of await this.find(chain, closed)) outcomes.set(hash, o);
    if (outcomes.size) await this.commit(open, outcomes);
  }

  /** The consumer approved by hash: the gateway supplies the full call, smallest payout first. */
  private async execute(chain: ChainClient, payouts: Payout[]): Promise<Map<string, Outcome>> {
    const { gateway } = this.opts;
    const sorted = [...payouts].sort((a, b) => (BigInt(a.amount) < BigInt(b.amount) ? -1 : 1));
    const txs = await Promise.all(sorted.map((p) => {
      const others = otherSignatories(chain, [Buffer.from(p.consumerKeyHex, 'hex'), gateway.publicKey], gateway.publicKey);
      const call = chain.api.createType('Call', p.call);
      return executingApproval(chain, others, { height: p.timePoint!.height, index: p.timePoint!.index }, call, p.multisig);
    }));
    // utility.batch, not batchAll: one payout that cannot execute must not hold back the others.
    const inclusion = await chain.submit(txs.length === 1 ? txs[0]! : chain.api.tx.utility.batch(txs), gateway, this.opts.finality);
    const out = new Map<string, Outcome>();
    for (const e of inclusion.events) {
      const ev = executedEvent(e);
      if (ev) out.set(ev.callHash, outcomeOf(ev.result, inclusion.blockNumber, 'gateway'));
    }
    this.opts.log.info('payouts executed after the consumer\'s approval', { payouts: out.size, block: inclusion.blockNumber });
    return out;
  }

  /** Operations that closed without the gateway: the chain's events say how (executed by the consumer). */
  private async find(chain: ChainClient, payouts: Payout[]): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    const head = await chain.head();
    const from = Math.min(...payouts.map((p) => this.searched.get(p.callHash) ?? p.timePoint?.height ?? head.number));
    const wanted = new Map(payouts.map((p) => [p.callHash, p]));
    for (let n = from; n <= head.number && out.size < wanted.size; n++) {
      const hash = (await chain.api.rpc.chain.getBlockHash(n)).toHex();
      let records: { event: { section: string; method: string; data: { toJSON(): unknown } } }[];
      try {
        records = (await (await chain.api.at(hash)).query.system.events()) as unknown as typeof records;
      } catch (err) {
        // The node no longer keeps that block's state (pruned): the operation is gone, and
        // only the gateway could have cancelled it, so it executed.
        this.opts.log.warn('cannot read the events of an old block; payouts whose operation closed are taken as executed', { block: n, err: (err as Error).message });
        for (const p of payouts) if (!out.has(p.callHash)) out.set(p.callHash, { ok: true, block: head.number, by: 'unknown', failure: '' });
        break;
      }
      for (const { event } of records) {
        const ev = executedEvent({ section: event.section, method: event.method, data: event.data.toJSON() as unknown[] });
        const payout = ev && wanted.get(ev.callHash);
        if (!ev || !payout || ev.multisig !== payout.multisig) continue;
        out.set(payout.callHash, outcomeOf(ev.result, n, ev.approving === chain.address(this.opts.gateway.publicKey) ? 'gateway' : 'consumer'));
      }
    }
    for (const p of payouts) if (!out.has(p.callHash)) this.searched.set(p.callHash, head.number + 1);
    return out;
  }

  /** Records the outcomes: payouts executed or failed, debts restored, sessions paid. */
  private async commit(open: Payout[], outcomes: Map<string, Outcome>): Promise<void> {
    const changed = open.filter((p) => outcomes.has(p.callHash));
    const byStation = new Map<string, Payout[]>();
    for (const p of changed) byStation.set(p.station, [...(byStation.get(p.station) ?? []), p]);
    for (const [station, payouts] of byStation) {
      const step: SettlementRecord = { sessions: [], jobsDone: [], payouts: [], debts: [], delivered: [] };
      for (const p of payouts) {
        const o = outcomes.get(p.callHash)!;
        this.searched.delete(p.callHash);
        const updated: Payout = { ...p, state: o.ok ? 'executed' : 'failed', executedBlock: o.block, executedBy: o.by, failure: o.failure };
        step.payouts.push(updated);
        if (o.ok) this.opts.log.info('payout executed on chain', { session: p.sessionId, kind: p.kind, amount: p.amount, block: o.block, by: o.by });
        else this.opts.log.warn('a payout executed with an error; nothing moved', { session: p.sessionId, kind: p.kind, failure: o.failure });
        // A spent or debt payout that moved nothing is owed again.
        if (!o.ok && p.kind !== 'refund') step.debts.push(await this.owedAgain(p));
      }
      step.sessions.push(...await this.paidSessions(station, payouts, step));
      await this.opts.record(station, step);
    }
  }

  private async owedAgain(p: Payout): Promise<Debt> {
    const existing = (await this.opts.store.settlements.debts(p.consumerKeyHex)).find((d) => d.sessionId === p.sessionId);
    const amount = BigInt(existing?.amount ?? '0') + BigInt(p.amount);
    return { sessionId: p.sessionId, station: p.station, consumerKeyHex: p.consumerKeyHex, amount: amount.toString(), createdAt: existing?.createdAt ?? new Date().toISOString(), payouts: existing?.payouts ?? p.seq };
  }

  /** Sessions whose every payout has now executed and that owe nothing: state "paid". */
  private async paidSessions(station: string, changed: Payout[], step: SettlementRecord): Promise<ConsumerSession[]> {
    const out: ConsumerSession[] = [];
    for (const sessionId of new Set(changed.map((p) => p.sessionId))) {
      const keyHex = changed.find((p) => p.sessionId === sessionId)!.consumerKeyHex;
      const now = new Map(step.payouts.map((p) => [p.callHash, p]));
      const all = (await this.opts.store.settlements.payouts(keyHex)).filter((p) => p.sessionId === sessionId).map((p) => now.get(p.callHash) ?? p);
      const owes = (await this.opts.store.settlements.debts(keyHex)).some((d) => d.sessionId === sessionId) || step.debts.some((d) => d.sessionId === sessionId && BigInt(d.amount) > 0n);
      if (owes || !all.every((p) => p.state === 'executed')) continue;
      const session = await this.opts.store.sessions.load(station, sessionId);
      if (!session || session.state !== 'settled' || !session.settlement) continue;
      out.push({ ...session, state: 'paid', settlement: { ...session.settlement, paidAt: new Date().toISOString() } });
    }
    return out;
  }
}
