import type { ChangeRecord } from './change.ts';
import type { ChargePointState, TransactionInfo } from './model.ts';
import type {
  Store_ContractRegistration as ContractRegistration, Store_MeterSample as MeterSample, Store_StationCertificate as StationCertificate,
} from '../proto/types.ts';
import type { ConsumerSession } from './sessions.ts';
import type { ConfigurationSnapshot } from './configuration.ts';
import type { OperatorTag } from './tags.ts';
import type { FirmwareImage, FirmwareRollout } from './firmware.ts';
import type { LogUpload } from './log-uploads.ts';
import type { Store_AuditEntry as AuditEntry } from '../proto/types.ts';
import type { AuthorizeCertificateStatus, CertificateHashData, OcspRequestData, SignedCertificateType, StationInfo, StatusInfo } from './certificates.ts';

// The domain fills the record of one change; the store commits it atomically.
export type { StoredReading, StoredReport } from './change.ts';
export type StateChange = ChangeRecord;

/** A station's records: its state and what its messages left behind. Implemented by src/store. */
export interface StationRecords {
  loadState(identity: string): Promise<ChargePointState | undefined>;
  allStates(): AsyncIterable<ChargePointState>;
  findStartKey(identity: string, key: string): Promise<number | undefined>;
  findOcppTransaction(identity: string, ocppTransactionId: string): Promise<number | undefined>;
  hasSeqNo(identity: string, transactionId: number, seqNo: number): Promise<boolean>;
  loadFinished(identity: string, transactionId: number): Promise<TransactionInfo | undefined>;
  /** The raw sampledValue JSON of every stored reading of a transaction. */
  loadReadingsJson(identity: string, transactionId: number): Promise<string[]>;
  /** The station's oldest stored reports (keys and payload sizes), oldest first, as many as hold at least `atLeastBytes` of payload (or all). */
  oldestReports(identity: string, atLeastBytes: number): Promise<{ key: string; bytes: number }[]>;
  /** The station's finished transactions, by id. */
  finishedTransactions(identity: string): Promise<TransactionInfo[]>;
  /** The stored meter readings of a transaction, in time order. */
  readings(identity: string, transactionId: number): Promise<MeterSample[]>;
}

/** Consumers' finished sessions (stopped, failed), which outlive the station's record. */
export interface SessionRecords {
  load(identity: string, sessionId: string): Promise<ConsumerSession | undefined>;
  /** A consumer's finished sessions on every station, oldest first. */
  ofConsumer(keyHex: string): Promise<ConsumerSession[]>;
  /** The finished sessions of one station. */
  ofStation(identity: string): Promise<ConsumerSession[]>;
}

/**
 * What the domain needs from storage: a repository per aggregate it reads, and the unit of
 * work that writes one change (of every aggregate it touches) atomically. Implemented by
 * src/store, wired in gateway/.
 */
export interface ChargePointRepository {
  stations: StationRecords;
  sessions: SessionRecords;
  /**
   * Writes the change atomically, the replay keys of the requests it carries (`requests`)
   * included: once it resolves, the service counts them durable. A rejection means it is not
   * stored, unless the error says `mayHaveLanded` (see commitMayHaveLanded).
   */
  commit(change: StateChange): Promise<void>;
}

/**
 * Whether a failed commit may be stored after all: the write reached storage's log and only its
 * flush to disk failed, so the log may replay it when storage is reopened. What such a change
 * numbered stays taken (numbering it again could sign two events with one number).
 */
export function commitMayHaveLanded(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { mayHaveLanded?: unknown }).mayHaveLanded === true;
}

export type { AuditEntry, ContractRegistration, MeterSample, StationCertificate };

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

/** What the gateway concluded about a contract (eMAID) a station presented. */
export interface ContractCheck {
  status: 'Accepted' | 'Invalid' | 'Unknown' | 'Expired';
  certificateStatus?: AuthorizeCertificateStatus;
  /** The consumer who registered the contract, when it is accepted. */
  holder?: ContractRegistration;
  reason: string;
}

/**
 * The CSMS side of ISO 15118 Plug & Charge, as the station handlers use it (in 2.0.1 terms).
 * Implemented by src/pnc (CA, OCSP, contract backend, contract registry), wired in gateway/.
 */
export interface PlugAndChargeService {
  get15118EVCertificate(station: StationInfo, req: { iso15118SchemaVersion: string; action: 'Install' | 'Update'; exiRequest: string }): Promise<{ status: 'Accepted' | 'Failed'; exiResponse: string; statusInfo?: StatusInfo }>;
  getCertificateStatus(station: StationInfo, req: { ocspRequestData: OcspRequestData }): Promise<{ status: 'Accepted' | 'Failed'; ocspResult?: string; statusInfo?: StatusInfo }>;
  checkSigningRequest(station: StationInfo, req: { csr: string; certificateType: SignedCertificateType }): Promise<{ status: 'Accepted' | 'Rejected'; statusInfo?: StatusInfo }>;
  /** The signed chain, leaf first, as PEM blocks. */
  sign(station: StationInfo, req: { csr: string; certificateType: SignedCertificateType }): Promise<string[]>;
  checkContract(station: StationInfo, req: { eMAID: string; certificate?: string; hashData?: OcspRequestData[] }): Promise<ContractCheck>;
}

/** A certificate as the per-station inventory records it. */
export interface ReadCertificate {
  /** The certificate alone, as PEM. */
  pem: string;
  subject: string;
  notAfter: string;
  serialNumber: string;
  selfSigned: boolean;
  /** Its hash data, as its issuer names it. */
  hashData: CertificateHashData;
}

/** X.509 as the certificate inventory needs it. Implemented by src/pnc. */
export interface CertificateReader {
  /** One PEM certificate; `issuerPem` absent: it is its own issuer. Throws when it is not a certificate. */
  read(pem: string, issuerPem?: string): Promise<ReadCertificate>;
  /** A PEM chain's certificates, leaf first, each as PEM. */
  split(chainPem: string): string[];
}

/** The configuration snapshots read from each station, oldest first (src/store implements it in LevelDB). */
export interface ConfigurationRecords {
  latest(identity: string): Promise<ConfigurationSnapshot | undefined>;
  snapshot(identity: string, takenAt: string): Promise<ConfigurationSnapshot | undefined>;
  /** When each kept snapshot was taken, oldest first. */
  takenAt(identity: string): Promise<string[]>;
  /** Writes a snapshot (replacing one taken at the same time) and drops the oldest beyond `keep`. */
  put(identity: string, snapshot: ConfigurationSnapshot, keep: number): Promise<void>;
}

/** The operator's cards, node-wide (src/store implements it in LevelDB). */
export interface TagRecords {
  all(): Promise<OperatorTag[]>;
  /** Writes `put` and removes the idTags in `remove`, in one batch. */
  update(put: OperatorTag[], remove: string[]): Promise<void>;
}

/** The admin API's audit log, newest first (src/store implements it in LevelDB). */
export interface AuditRecords {
  append(entry: AuditEntry): Promise<void>;
  /** Up to `limit` entries older than `before` (a cursor from an earlier page), newest first. */
  page(limit: number, before?: string): Promise<{ items: AuditEntry[]; next?: string }>;
}

/** Firmware images and rollouts, node-wide (src/store implements it in LevelDB). */
export interface FirmwareRecords {
  images(): Promise<FirmwareImage[]>;
  image(id: string): Promise<FirmwareImage | undefined>;
  putImage(image: FirmwareImage): Promise<void>;
  removeImage(id: string): Promise<void>;
  rollouts(): Promise<FirmwareRollout[]>;
  putRollout(rollout: FirmwareRollout): Promise<void>;
}

/** The logs asked of stations, by station and request id (src/store implements it in LevelDB). */
export interface LogUploadRecords {
  /** One station's, oldest request first. */
  list(identity: string): Promise<LogUpload[]>;
  get(identity: string, requestId: number): Promise<LogUpload | undefined>;
  put(upload: LogUpload): Promise<void>;
  remove(identity: string, requestIds: number[]): Promise<void>;
}

/** What a stored file is: its size and sha256 (hex). */
export interface StoredFile {
  size: number;
  sha256: string;
}

/**
 * Files kept beside the database (firmware images, stations' logs), written whole or not at all.
 * src/store implements it in the data folder.
 */
export interface FileBlobs {
  /**
   * Stores what `source` yields under `name`, failing with a FileTooLargeError beyond `maxBytes`
   * (nothing is kept then). The file is durable when this resolves.
   */
  write(name: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile>;
  /** The file's bytes from `start` (a missing file: undefined). */
  read(name: string, start?: number): Promise<{ size: number; stream: AsyncIterable<Uint8Array> } | undefined>;
  /** Moves a stored file to another name (replacing what is there). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file, or a folder of files. */
  remove(name: string): Promise<void>;
}

/** A file larger than allowed (it was not kept). */
export class FileTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}
