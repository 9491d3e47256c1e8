import type { ChangeRecord } from './change.ts';
import type { ChargePointState, TransactionInfo } from './model.ts';
import type { Store_ContractRegistration as ContractRegistration, Store_StationCertificate as StationCertificate } from '../proto/types.ts';
import type { ConsumerSession } from './sessions.ts';

// The domain fills the record of one change; the store commits it atomically.
export type { StoredReading, StoredReport } from './change.ts';
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

export type { ContractRegistration, StationCertificate };

/** Per-station certificate records (src/store implements it in LevelDB). */
export interface CertificateRecords {
  certificates(identity: string): Promise<StationCertificate[]>;
  /** Writes `put` and removes the records named by `remove` (ids from certificateId) in one batch. */
  updateCertificates(identity: string, put: StationCertificate[], remove: string[]): Promise<void>;
}

/** eMAID → consumer registrations (src/store implements it in LevelDB). */
export interface ContractRecords {
  contract(emaid: string): Promise<ContractRegistration | undefined>;
  contractsOf(consumerKeyHex: string): Promise<ContractRegistration[]>;
  putContract(registration: ContractRegistration): Promise<void>;
  deleteContract(registration: ContractRegistration): Promise<void>;
}
