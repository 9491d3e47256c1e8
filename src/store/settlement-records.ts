import { codecFor } from '../proto/codec.ts';
import type { Store_Debt as Debt, Store_Payout as Payout, Store_SettlementJob as SettlementJob } from '../proto/types.ts';
import type { ChangeRecord } from '../domain/change.ts';
import { type BatchOp, type LevelDatabase, decodeText, encodeText } from './level-database.ts';
import { keys } from './keys.ts';

const settlementCodec = codecFor('store.SettlementJob');
const payoutCodec = codecFor('store.Payout');
const debtCodec = codecFor('store.Debt');

/**
 * Money on its way to the chain: sessions waiting to be settled, the payouts made from each
 * consumer's multisig (with an index of those not yet executed) and what a deposit did not cover.
 */
export class LevelSettlementRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  /** Sessions waiting for settlement, oldest first by session id order. */
  async pendingSettlements(limit: number): Promise<SettlementJob[]> {
    const out: SettlementJob[] = [];
    for await (const value of this.db.values({ ...keys.settlementRange, limit })) out.push(settlementCodec.decode(value));
    return out;
  }

  /** Records a failed attempt (the job stays pending). */
  async putSettlement(job: SettlementJob): Promise<void> {
    await this.db.write([{ type: 'put', key: keys.settlement(job.sessionId), value: settlementCodec.encode(job) }]);
  }

  /** Settlement jobs of one consumer (sessions that ended and wait for their payouts). */
  async settlementsOf(keyHex: string): Promise<SettlementJob[]> {
    return (await this.pendingSettlements(1_000_000)).filter((j) => j.consumerKeyHex === keyHex);
  }

  /** A consumer's payouts (every state), or every payout of the node. */
  async payouts(keyHex?: string): Promise<Payout[]> {
    const out: Payout[] = [];
    for await (const value of this.db.values(keys.payoutRange(keyHex))) out.push(payoutCodec.decode(value));
    return out;
  }

  /** Payouts approved by the gateway and not yet executed (nor failed). */
  async openPayouts(): Promise<Payout[]> {
    const out: Payout[] = [];
    for await (const key of this.db.values(keys.openPayoutRange)) {
      const value = await this.db.get(decodeText(key));
      if (value) out.push(payoutCodec.decode(value));
    }
    return out;
  }

  /** A consumer's outstanding debts, or every outstanding debt of the node. */
  async debts(keyHex?: string): Promise<Debt[]> {
    const out: Debt[] = [];
    for await (const value of this.db.values(keys.debtRange(keyHex))) out.push(debtCodec.decode(value));
    return out;
  }

  /** How many entries wait, counted up to `cap` (backlog gauges). */
  async count(what: 'settlements' | 'openPayouts' | 'debts', cap = 100_000): Promise<number> {
    const ranges = { settlements: keys.settlementRange, openPayouts: keys.openPayoutRange, debts: keys.debtRange() };
    let n = 0;
    for await (const _key of this.db.keys({ ...ranges[what], limit: cap })) n++;
    return n;
  }

  opsFor(change: ChangeRecord): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const job of change.settlements) ops.push({ type: 'put', key: keys.settlement(job.sessionId), value: settlementCodec.encode(job) });
    for (const sessionId of change.settled) ops.push({ type: 'del', key: keys.settlement(sessionId) });
    for (const p of change.payouts) {
      const key = keys.payout(p.consumerKeyHex, p.sessionId, p.kind, p.seq);
      ops.push({ type: 'put', key, value: payoutCodec.encode(p) });
      ops.push(p.state === 'open' ? { type: 'put', key: keys.openPayout(p.callHash), value: encodeText(key) } : { type: 'del', key: keys.openPayout(p.callHash) });
    }
    for (const d of change.debts) {
      const key = keys.debt(d.consumerKeyHex, d.sessionId);
      ops.push(BigInt(d.amount || '0') > 0n ? { type: 'put', key, value: debtCodec.encode(d) } : { type: 'del', key });
    }
    return ops;
  }
}
