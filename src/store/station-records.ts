import { hash } from 'node:crypto';
import { codecFor, integerFieldReader } from '../proto/codec.ts';
import type { ChargePointState, Store_MeterSample as MeterSample, Store_StationReport as StationReport, TransactionInfo } from '../proto/types.ts';
import type { ChangeRecord } from '../domain/change.ts';
import type { StationRecords } from '../domain/ports.ts';
import { type BatchOp, EMPTY, type KeyRange, type LevelDatabase, decodeText, encodeText } from './level-database.ts';
import { keys } from './keys.ts';

const stateCodec = codecFor('gateway.ChargePointState');
const stateEventSeq = integerFieldReader('gateway.ChargePointState', 'eventSeq');
const txCodec = codecFor('gateway.TransactionInfo');
const sampleCodec = codecFor('store.MeterSample');
const reportCodec = codecFor('store.StationReport');

/**
 * The station aggregate in LevelDB: its ChargePointState and what its messages left behind
 * (finished transactions, meter readings, reports, the keys that recognise a replayed message).
 */
export class LevelStationRecords implements StationRecords {
  private readonly db: LevelDatabase;
  // Orders reports received in the same millisecond.
  private reportCounter = 0;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async loadState(identity: string): Promise<ChargePointState | undefined> {
    const value = await this.db.get(keys.state(identity));
    return value ? stateCodec.decode(value) : undefined;
  }

  async *allStates(): AsyncGenerator<ChargePointState> {
    for await (const value of this.db.values(keys.stateRange)) yield stateCodec.decode(value);
  }

  findStartKey(identity: string, key: string): Promise<number | undefined> {
    return this.readNumber(keys.startKey(identity, key));
  }

  findOcppTransaction(identity: string, ocppTransactionId: string): Promise<number | undefined> {
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

  async oldestReports(identity: string, atLeastBytes: number): Promise<{ key: string; bytes: number }[]> {
    const out: { key: string; bytes: number }[] = [];
    let total = 0;
    // Only as many as free the bytes asked for (usually one): each is decoded to count its payload.
    for await (const [key, value] of this.db.entries(keys.reportRange(identity))) {
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

  /** Every range that holds the station's records except its state (which a deletion removes last). */
  recordRanges(identity: string): KeyRange[] {
    return keys.stationRanges(identity);
  }

  /**
   * Removes the state itself: the last step of deleting a station. The last number of its
   * event topic stays (the topic's events stay archived), so a station of that name later
   * continues the numbering instead of giving out archived numbers again.
   */
  async stateRemoval(identity: string): Promise<BatchOp[]> {
    const eventSeq = (await this.loadState(identity))?.eventSeq ?? 0;
    return [
      { type: 'del', key: keys.state(identity) },
      ...(eventSeq ? [{ type: 'put' as const, key: keys.deletedStationEventSeq(identity), value: encodeText(String(eventSeq)) }] : []),
    ];
  }

  /**
   * The last number of each station's event topic, by station: from the states, and from the
   * stations deleted since (older data folders also hold them as topic counters, see
   * LevelEventRecords.topicSeqs).
   */
  async eventSeqs(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for await (const [key, value] of this.db.entries(keys.deletedStationEventSeqRange)) out.set(key.slice(3), Number(decodeText(value)));
    for await (const [key, value] of this.db.entries(keys.stateRange)) {
      const seq = stateEventSeq(value);
      if (seq > (out.get(key.slice(3)) ?? 0)) out.set(key.slice(3), seq);
    }
    return out;
  }

  /** The writes of one change that belong to the station. */
  opsFor(change: ChangeRecord): BatchOp[] {
    const { identity, state } = change;
    const ops: BatchOp[] = [{ type: 'put', key: keys.state(identity), value: stateCodec.encode(state) }];
    for (const tx of change.finished) ops.push({ type: 'put', key: keys.finished(identity, tx.id), value: txCodec.encode(tx) });
    for (const s of change.startKeys) ops.push({ type: 'put', key: keys.startKey(identity, s.key), value: encodeText(String(s.transactionId)) });
    for (const o of change.ocppTransactionIds) {
      ops.push({ type: 'put', key: keys.ocppTransaction(identity, o.ocppTransactionId), value: encodeText(String(o.transactionId)) });
    }
    for (const s of change.seqNos) ops.push({ type: 'put', key: keys.seqNo(identity, s.transactionId, s.seqNo), value: EMPTY });
    for (const r of change.readings) {
      // The key names the reading, so a replayed message overwrites its own readings.
      // sha256 of source then rawJson, as always (the same keys as before), in one native call.
      const digest = hash('sha256', r.source + r.reading.rawJson, 'hex').slice(0, 16);
      const sample: MeterSample = {
        stationTime: r.reading.stationTime,
        receivedAt: r.receivedAt,
        connectorId: r.connectorId,
        transactionId: r.transactionId,
        sampledValuesJson: r.reading.rawJson,
        source: r.source,
        // Readings outside a transaction are kept as reports now; older records may carry it.
        claimedTransactionId: 0,
      };
      ops.push({ type: 'put', key: keys.reading(identity, r.transactionId, r.connectorId, r.reading.stationTime, digest), value: sampleCodec.encode(sample) });
    }
    for (const r of change.reports) {
      const report: StationReport = { action: r.action, receivedAt: r.receivedAt, payloadJson: r.payloadJson };
      ops.push({ type: 'put', key: keys.report(identity, r.receivedAt, this.reportCounter++), value: reportCodec.encode(report) });
    }
    for (const key of change.droppedReports) ops.push({ type: 'del', key });
    return ops;
  }

  private async readNumber(key: string): Promise<number | undefined> {
    const value = await this.db.get(key);
    return value === undefined ? undefined : Number(decodeText(value));
  }
}
