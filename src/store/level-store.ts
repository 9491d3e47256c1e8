import { createHash } from 'node:crypto';
import { Level } from 'level';
import { codecFor } from '../proto/codec.ts';
import type { ChargePointState, Session_ConsumerSession as ConsumerSession, TransactionInfo } from '../proto/types.ts';
import type { Store_MeterSample as MeterSample, Store_StationReport as StationReport } from '../proto/types.ts';
import type { ChangeRecord } from './change.ts';
import { keys } from './keys.ts';

type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

const stateCodec = codecFor('gateway.ChargePointState');
const txCodec = codecFor('gateway.TransactionInfo');
const sampleCodec = codecFor('store.MeterSample');
const reportCodec = codecFor('store.StationReport');
const sessionCodec = codecFor('session.ConsumerSession');
const text = new TextEncoder();
const EMPTY = new Uint8Array(0);

export interface LevelStoreOptions {
  /** fsync every commit: survives power loss, not only a process crash. */
  sync: boolean;
}

/** The gateway's LevelDB: charge point state and its side records, every change one atomic batch. */
export class LevelStore {
  private readonly db: Level<string, Uint8Array>;
  private readonly sync: boolean;
  private reportCounter = 0;
  // Group commit: changes committed in the same event-loop turn are written as one batch.
  private pending: { ops: BatchOp[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushScheduled = false;

  private constructor(db: Level<string, Uint8Array>, sync: boolean) {
    this.db = db;
    this.sync = sync;
  }

  static async open(location: string, options: LevelStoreOptions = { sync: false }): Promise<LevelStore> {
    const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? '';
      const locked = /lock/i.test(cause);
      throw new Error(locked
        ? `the data folder ${location} is in use by another process (LevelDB lock held)`
        : `cannot open the data folder ${location}: ${cause || (err as Error).message}`, { cause: err });
    }
    return new LevelStore(db, options.sync);
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
      const session = await this.loadSession(new TextDecoder().decode(value), sessionId);
      if (session) out.push(session);
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
    this.db.batch(ops, { sync: this.sync }).then(
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
      };
      ops.push({ type: 'put', key: keys.reading(identity, r.transactionId, r.connectorId, r.reading.stationTime, hash), value: sampleCodec.encode(sample) });
    }
    for (const r of change.reports) {
      const report: StationReport = { action: r.action, receivedAt: r.receivedAt, payloadJson: r.payloadJson };
      ops.push({ type: 'put', key: keys.report(identity, r.receivedAt, this.reportCounter++), value: reportCodec.encode(report) });
    }
    for (const session of change.finishedSessions) {
      ops.push({ type: 'put', key: keys.session(identity, session.id), value: sessionCodec.encode(session) });
      ops.push({ type: 'put', key: keys.consumerSession(session.consumerKeyHex, session.createdAt, session.id), value: text.encode(identity) });
    }
    return ops;
  }

  private async readNumber(key: string): Promise<number | undefined> {
    const value = await this.db.get(key);
    return value === undefined ? undefined : Number(new TextDecoder().decode(value));
  }
}
