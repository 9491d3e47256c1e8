import type { ChangeRecord } from '../store/change.ts';
import type { ChargePointState, TransactionInfo } from './model.ts';
import type { ConsumerSession } from './sessions.ts';

// The record of one change is defined next to the store that commits it; the domain fills it.
export type { StoredReading, StoredReport } from '../store/change.ts';
export type StateChange = ChangeRecord;

/** What the domain needs from storage. Implemented by src/store, wired in gateway/. */
export interface ChargePointRepository {
  loadState(identity: string): Promise<ChargePointState | undefined>;
  allStates(): AsyncIterable<ChargePointState>;
  findStartKey(identity: string, key: string): Promise<number | undefined>;
  findOcppTransaction(identity: string, ocppTransactionId: string): Promise<number | undefined>;
  hasSeqNo(identity: string, transactionId: number, seqNo: number): Promise<boolean>;
  loadFinished(identity: string, transactionId: number): Promise<TransactionInfo | undefined>;
  /** The raw sampledValue JSON of every stored reading of a transaction. */
  loadReadingsJson(identity: string, transactionId: number): Promise<string[]>;
  /** A station's oldest stored reports: their keys and sizes. */
  oldestReports(identity: string, limit: number): Promise<{ key: string; bytes: number }[]>;
  /** A consumer's finished sessions (stopped, failed) on every station, oldest first. */
  sessionsOfConsumer(keyHex: string): Promise<ConsumerSession[]>;
  commit(change: StateChange): Promise<void>;
}
