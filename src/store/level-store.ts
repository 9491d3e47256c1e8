import { createHash } from 'node:crypto';
import { Level } from 'level';
import { CodedError } from '../coded-error.ts';
import { codecFor } from '../proto/codec.ts';
import type {
  ChargePointState, Session_ConsumerSession as ConsumerSession, Store_Debt as Debt, Store_Payout as Payout, Store_SettlementJob as SettlementJob, TransactionInfo,
} from '../proto/types.ts';
import type { Store_MeterSample as MeterSample, Store_StationReport as StationReport } from '../proto/types.ts';
import { hashDataId } from '../domain/certificates.ts';
import type { CertificateRecords, ContractRecords, ContractRegistration, StationCertificate } from '../domain/ports.ts';
import type { ChangeRecord } from '../domain/change.ts';
import { keys } from './keys.ts';

type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

const stateCodec = codecFor('gateway.ChargePointState');
const txCodec = codecFor('gateway.TransactionInfo');
const sampleCodec = codecFor('store.MeterSample');
const reportCodec = codecFor('store.StationReport');
const sessionCodec = codecFor('session.ConsumerSession');
const outboxCodec = codecFor('store.OutboxEntry');
const settlementCodec = codecFor('store.SettlementJob');
const certificateCodec = codecFor('store.StationCertificate');
const payoutCodec = codecFor('store.Payout');
const debtCodec = codecFor('store.Debt');
const contractCodec = codecFor('store.ContractRegistration');
const text = new TextEncoder();
const utf8 = new TextDecoder();
const EMPTY = new Uint8Array(0);
// Written and deleted to see whether storage works again after a failure.
const PROBE_KEY = 'zz:probe';

/**
 * A write to the data folder failed (disk full, read-only, I/O error). LevelDB refuses every
 * later write once one failed, so the node stops taking work that it could not keep.
 */
export class StorageError extends CodedError<'StorageUnavailable'> {
  constructor(message: string, options?: { cause: unknown }) {
    super('StorageUnavailable', message);
    if (options) this.cause = options.cause;
  }
}

export interface LevelStoreOptions {
  /** fsync every commit: survives power loss, not only a process crash. */
  sync: boolean;
  /** Files LevelDB may keep open (the node keeps descriptors for it; see gateway/descriptors.ts). */
  maxOpenFiles?: number;
}

/** The gateway's LevelDB: charge point state and its side records, every change one atomic batch. */
export class LevelStore implements CertificateRecords, ContractRecords {
  private readonly db: Level<string, Uint8Array>;
  private readonly sync: boolean;
  private reportCounter = 0;
  // Group commit: changes committed in the same event-loop turn are written as one batch.
  private pending: { ops: BatchOp[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushScheduled = false;
  private nextOutboxId = 0;
  // Nonces being recorded right now: the check and the claim happen in one synchronous step.
  private readonly claimedNonces = new Set<string>();
  private failure: StorageError | undefined;
  private recovering = false;
  private readonly failureListeners: ((err: StorageError) => void)[] = [];

  private constructor(db: Level<string, Uint8Array>, sync: boolean) {
    this.db = db;
    this.sync = sync;
  }

  static async open(location: string, options: LevelStoreOptions = { sync: false }): Promise<LevelStore> {
    const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view', ...(options.maxOpenFiles ? { maxOpenFiles: options.maxOpenFiles } : {}) });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? '';
      // LevelDB names the LOCK file in every open error; only these say another process holds it.
      const locked = /Resource temporarily unavailable|already held by process/i.test(cause);
      throw new Error(locked
        ? `the data folder ${location} is in use by another process (LevelDB lock held)`
        : `cannot open the data folder ${location}: ${cause || (err as Error).message}`, { cause: err });
    }
    const store = new LevelStore(db, options.sync);
    for await (const key of db.keys({ ...keys.outboxRange, reverse: true, limit: 1 })) store.nextOutboxId = Number(key.slice(3)) + 1;
    return store;
  }

  /** The first failed write, if any: from then on every write is refused with it. */
  get writeFailure(): StorageError | undefined {
    return this.failure;
  }

  /** Called once per failure: when the first write fails (again after a recovery). */
  onWriteFailure(listener: (err: StorageError) => void): void {
    this.failureListeners.push(listener);
  }

  /** Every write goes through here, so one failure is seen, named and reported once. */
  private async write(ops: BatchOp[]): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.db.batch(ops, { sync: this.sync });
    } catch (err) {
      throw this.failed(err);
    }
  }

  private failed(err: unknown): StorageError {
    if (this.failure) return this.failure;
    const cause = (err as { cause?: { message?: string } }).cause?.message || (err as Error).message;
    this.failure = new StorageError(`writing to the data folder failed (${cause}); nothing more is accepted until the node is restarted with working storage`, { cause: err });
    for (const listener of this.failureListeners) listener(this.failure);
    return this.failure;
  }

  /**
   * After a failed write: reopens LevelDB (which refuses every write once one failed) and
   * tries a synced write. True when storage works again (the failure is cleared); false when
   * it still does not (no space, no descriptors), to be tried again later.
   */
  async recover(): Promise<boolean> {
    if (!this.failure) return true;
    if (this.recovering) return false;
    this.recovering = true;
    try {
      return await this.reopen();
    } finally {
      this.recovering = false;
    }
  }

  private async reopen(): Promise<boolean> {
    try {
      await this.db.close();
    } catch {
      // Closing a database in trouble may fail; opening it again is what counts.
    }
    try {
      await this.db.open();
      await this.db.batch([{ type: 'put', key: PROBE_KEY, value: EMPTY }, { type: 'del', key: PROBE_KEY }], { sync: true });
    } catch {
      return false;
    }
    this.nextOutboxId = 0;
    for await (const key of this.db.keys({ ...keys.outboxRange, reverse: true, limit: 1 })) this.nextOutboxId = Number(key.slice(3)) + 1;
    this.failure = undefined;
    return true;
  }

  async close(): Promise<void> {
    // Let a scheduled group commit finish first: its callers are waiting to answer stations.
    while (this.flushScheduled || this.pending.length) await new Promise((r) => setImmediate(r));
    await this.db.close();
  }

  async loadState(identity: string): Promise<ChargePointState | undefined> {
    const value = await this.db.get(keys.state(identity));
    return value ? stateCodec.decode(value) : undefined;
  }

  async *allStates(): AsyncGenerator<ChargePointState> {
    for await (const value of this.db.values(keys.stateRange)) yield stateCodec.decode(value);
  }

  async findStartKey(identity: string, key: string): Promise<number | undefined> {
    return this.readNumber(keys.startKey(identity, key));
  }

  async findOcppTransaction(identity: string, ocppTransactionId: string): Promise<number | undefined> {
    return this.readNumber(keys.ocppTransaction(identity, ocppTransactionId));
  }

  async hasSeqNo(identity: string, transactionId: number, seqNo: number): Promise<boolean> {
    return (await this.db.get(keys.seqNo(identity, transactionId, seqNo))) !== undefined;
  }

  async loadFinished(identity: string, transactionId: number): Promise<TransactionInfo | undefined> {
    const value = await this.db.get(keys.finished(identity, transactionId));
    return value ? txCodec.decode(value) : undefined;
  }

  async finishedTransactions(identity: string): Promise<TransactionInfo[]> {
    const out: TransactionInfo[] = [];
    for await (const value of this.db.values(keys.finishedRange(identity))) out.push(txCodec.decode(value));
    return out;
  }

  async readings(identity: string, transactionId?: number): Promise<MeterSample[]> {
    const out: MeterSample[] = [];
    for await (const value of this.db.values(keys.readingRange(identity, transactionId))) out.push(sampleCodec.decode(value));
    return out;
  }

  async loadReadingsJson(identity: string, transactionId: number): Promise<string[]> {
    return (await this.readings(identity, transactionId)).map((r) => r.sampledValuesJson);
  }

  async loadSession(identity: string, sessionId: string): Promise<ConsumerSession | undefined> {
    const value = await this.db.get(keys.session(identity, sessionId));
    return value ? sessionCodec.decode(value) : undefined;
  }

  /** A consumer's finished sessions on every station of this node, oldest first. */
  async sessionsOfConsumer(keyHex: string): Promise<ConsumerSession[]> {
    const out: ConsumerSession[] = [];
    for await (const [key, value] of this.db.iterator(keys.consumerSessionRange(keyHex))) {
      const sessionId = key.slice(key.lastIndexOf(':') + 1);
      const session = await this.loadSession(utf8.decode(value), sessionId);
      if (session) out.push(session);
    }
    return out;
  }

  /**
   * Records a request nonce; false when (signer, nonce) was seen before. Nonces are kept
   * per minute of their timestamp, so the ones older than the freshness window can be
   * dropped as one range (dropNoncesBefore).
   */
  async recordNonce(minute: number, signerHex: string, nonceHex: string): Promise<boolean> {
    const key = keys.nonce(minute, signerHex, nonceHex);
    if (this.claimedNonces.has(key)) return false;
    this.claimedNonces.add(key);
    try {
      if ((await this.db.get(key)) !== undefined) return false;
      await this.write([{ type: 'put', key, value: EMPTY }]);
      return true;
    } finally {
      this.claimedNonces.delete(key);
    }
  }

  async dropNoncesBefore(minute: number): Promise<void> {
    if (this.failure) return;
    await this.db.clear(keys.noncesBefore(minute)).catch((err: unknown) => { throw this.failed(err); });
  }

  /** The last sequence number of every topic (to continue numbering after a restart). */
  async topicSeqs(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for await (const [key, value] of this.db.iterator(keys.topicSeqRange)) out.set(key.slice(3), Number(utf8.decode(value)));
    return out;
  }

  /** Events not yet published, oldest first. */
  async outboxEntries(limit: number): Promise<{ id: string; topic: string; seq: number; envelope: Uint8Array }[]> {
    const out: { id: string; topic: string; seq: number; envelope: Uint8Array }[] = [];
    for await (const [key, value] of this.db.iterator({ ...keys.outboxRange, limit })) {
      const entry = outboxCodec.decode(value);
      out.push({ id: key, topic: entry.topic, seq: entry.seq, envelope: entry.envelope });
    }
    return out;
  }

  /** Marks events as published. */
  async removeOutbox(ids: string[]): Promise<void> {
    await this.write(ids.map((key) => ({ type: 'del' as const, key })));
  }

  /** How many entries wait in a key range, counted up to `cap` (backlog gauges). */
  async count(range: 'outbox' | 'settlements' | 'openPayouts' | 'debts', cap = 100_000): Promise<number> {
    const ranges = { outbox: keys.outboxRange, settlements: keys.settlementRange, openPayouts: keys.openPayoutRange, debts: keys.debtRange() };
    let n = 0;
    for await (const _key of this.db.keys({ ...ranges[range], limit: cap })) n++;
    return n;
  }

  /** Published events of a topic after a sequence number (for a subscriber catching up). */
  async eventsAfter(topic: string, afterSeq: number, limit: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const value of this.db.values({ ...keys.eventRange(topic, afterSeq), limit })) out.push(value);
    return out;
  }

  /** Sessions waiting for settlement, oldest first by session id order. */
  async pendingSettlements(limit: number): Promise<SettlementJob[]> {
    const out: SettlementJob[] = [];
    for await (const value of this.db.values({ ...keys.settlementRange, limit })) out.push(settlementCodec.decode(value));
    return out;
  }

  /** Records a failed attempt (the job stays pending). */
  async putSettlement(job: SettlementJob): Promise<void> {
    await this.write([{ type: 'put', key: keys.settlement(job.sessionId), value: settlementCodec.encode(job) }]);
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
      const value = await this.db.get(utf8.decode(key));
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

  /** Settlement jobs of one consumer (sessions that ended and wait for their payouts). */
  async settlementsOf(keyHex: string): Promise<SettlementJob[]> {
    return (await this.pendingSettlements(1_000_000)).filter((j) => j.consumerKeyHex === keyHex);
  }

  async certificates(identity: string): Promise<StationCertificate[]> {
    const out: StationCertificate[] = [];
    for await (const value of this.db.values(keys.certificateRange(identity))) out.push(certificateCodec.decode(value));
    return out;
  }

  async updateCertificates(identity: string, put: StationCertificate[], remove: string[]): Promise<void> {
    await this.write([
      ...remove.map((id) => ({ type: 'del' as const, key: keys.certificate(identity, id) })),
      ...put.map((c) => ({ type: 'put' as const, key: keys.certificate(identity, hashDataId(c)), value: certificateCodec.encode(c) })),
    ]);
  }

  async contract(emaid: string): Promise<ContractRegistration | undefined> {
    const value = await this.db.get(keys.contract(emaid));
    return value ? contractCodec.decode(value) : undefined;
  }

  async contractsOf(consumerKeyHex: string): Promise<ContractRegistration[]> {
    const out: ContractRegistration[] = [];
    for await (const key of this.db.keys(keys.consumerContractRange(consumerKeyHex))) {
      const found = await this.contract(key.slice(key.lastIndexOf(':') + 1));
      if (found) out.push(found);
    }
    return out;
  }

  async putContract(registration: ContractRegistration): Promise<void> {
    await this.write([
      { type: 'put', key: keys.contract(registration.emaid), value: contractCodec.encode(registration) },
      { type: 'put', key: keys.consumerContract(registration.consumerKeyHex, registration.emaid), value: EMPTY },
    ]);
  }

  async deleteContract(registration: ContractRegistration): Promise<void> {
    await this.write([
      { type: 'del', key: keys.contract(registration.emaid) },
      { type: 'del', key: keys.consumerContract(registration.consumerKeyHex, registration.emaid) },
    ]);
  }

  /**
   * Removes a station and what it stored (transactions, meter values, reports, certificates,
   * de-duplication keys). Consumers' finished sessions and payouts stay: they are the
   * consumers' records. The state goes last, so a crash half way leaves a station that can be
   * deleted again.
   */
  async deleteStation(identity: string): Promise<void> {
    if (this.failure) throw this.failure;
    for (const prefix of ['tx', 'sk', 'ot', 'sq', 'mv', 'rp', 'ce']) {
      await this.db.clear({ gte: `${prefix}:${identity}:`, lt: `${prefix}:${identity};` }).catch((err: unknown) => { throw this.failed(err); });
    }
    await this.write([{ type: 'del', key: keys.state(identity) }]);
  }

  async oldestReports(identity: string, atLeastBytes: number): Promise<{ key: string; bytes: number }[]> {
    const out: { key: string; bytes: number }[] = [];
    let total = 0;
    // Only as many as free the bytes asked for (usually one): each is decoded to count its payload.
    for await (const [key, value] of this.db.iterator(keys.reportRange(identity))) {
      if (total >= atLeastBytes) break;
      const bytes = Buffer.byteLength(reportCodec.decode(value).payloadJson);
      out.push({ key, bytes });
      total += bytes;
    }
    return out;
  }

  async reports(identity: string): Promise<StationReport[]> {
    const out: StationReport[] = [];
    for await (const value of this.db.values(keys.reportRange(identity))) out.push(reportCodec.decode(value));
    return out;
  }

  /**
   * Writes one handled message's change atomically. Changes from the same event-loop turn
   * share one LevelDB batch (still atomic as a whole), which amortises the write cost over
   * every station that is busy at the same time; each caller's promise resolves only once
   * its change is written.
   */
  commit(change: ChangeRecord): Promise<void> {
    const ops = this.opsFor(change);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ops, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    const ops = group.length === 1 ? group[0]!.ops : group.flatMap((g) => g.ops);
    this.write(ops).then(
      () => { for (const g of group) g.resolve(); },
      (err: unknown) => { for (const g of group) g.reject(err); },
    );
  }

  private opsFor(change: ChangeRecord): BatchOp[] {
    const { identity } = change;
    const ops: BatchOp[] = [{ type: 'put', key: keys.state(identity), value: stateCodec.encode(change.state) }];
    for (const tx of change.finished) ops.push({ type: 'put', key: keys.finished(identity, tx.id), value: txCodec.encode(tx) });
    for (const s of change.startKeys) ops.push({ type: 'put', key: keys.startKey(identity, s.key), value: text.encode(String(s.transactionId)) });
    for (const o of change.ocppTransactionIds) {
      ops.push({ type: 'put', key: keys.ocppTransaction(identity, o.ocppTransactionId), value: text.encode(String(o.transactionId)) });
    }
    for (const s of change.seqNos) ops.push({ type: 'put', key: keys.seqNo(identity, s.transactionId, s.seqNo), value: EMPTY });
    for (const r of change.readings) {
      const hash = createHash('sha256').update(r.source).update(r.reading.rawJson).digest('hex').slice(0, 16);
      const sample: MeterSample = {
        stationTime: r.reading.stationTime,
        receivedAt: r.receivedAt,
        connectorId: r.connectorId,
        transactionId: r.transactionId,
        sampledValuesJson: r.reading.rawJson,
        source: r.source,
        claimedTransactionId: r.claimedTransactionId ?? 0,
      };
      ops.push({ type: 'put', key: keys.reading(identity, r.transactionId, r.connectorId, r.reading.stationTime, hash), value: sampleCodec.encode(sample) });
    }
    for (const r of change.reports) {
      const report: StationReport = { action: r.action, receivedAt: r.receivedAt, payloadJson: r.payloadJson };
      ops.push({ type: 'put', key: keys.report(identity, r.receivedAt, this.reportCounter++), value: reportCodec.encode(report) });
    }
    for (const key of change.droppedReports) ops.push({ type: 'del', key });
    for (const event of change.outbox) {
      ops.push({ type: 'put', key: keys.outbox(this.nextOutboxId++), value: outboxCodec.encode(event) });
      ops.push({ type: 'put', key: keys.topicSeq(event.topic), value: text.encode(String(event.seq)) });
      ops.push({ type: 'put', key: keys.event(event.topic, event.seq), value: event.envelope });
    }
    for (const job of change.settlements) ops.push({ type: 'put', key: keys.settlement(job.sessionId), value: settlementCodec.encode(job) });
    for (const sessionId of change.settled) ops.push({ type: 'del', key: keys.settlement(sessionId) });
    for (const p of change.payouts) {
      const key = keys.payout(p.consumerKeyHex, p.sessionId, p.kind, p.seq);
      ops.push({ type: 'put', key, value: payoutCodec.encode(p) });
      ops.push(p.state === 'open' ? { type: 'put', key: keys.openPayout(p.callHash), value: text.encode(key) } : { type: 'del', key: keys.openPayout(p.callHash) });
    }
    for (const d of change.debts) {
      const key = keys.debt(d.consumerKeyHex, d.sessionId);
      ops.push(BigInt(d.amount || '0') > 0n ? { type: 'put', key, value: debtCodec.encode(d) } : { type: 'del', key });
    }
    for (const session of change.finishedSessions) {
      ops.push({ type: 'put', key: keys.session(identity, session.id), value: sessionCodec.encode(session) });
      ops.push({ type: 'put', key: keys.consumerSession(session.consumerKeyHex, session.createdAt, session.id), value: text.encode(identity) });
    }
    return ops;
  }

  private async readNumber(key: string): Promise<number | undefined> {
    const value = await this.db.get(key);
    return value === undefined ? undefined : Number(utf8.decode(value));
  }
}
