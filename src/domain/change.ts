import type {
  ChargePointState, Session_ConsumerSession as ConsumerSession, Store_Debt as Debt, Store_Payout as Payout, Store_SettlementJob as SettlementJob, TransactionInfo,
} from '../proto/types.ts';

/** A meter reading as it is kept: which transaction and connector it belongs to, and from which message. */
export interface StoredReading {
  connectorId: number;
  transactionId: number;
  reading: { stationTime: string; rawJson: string };
  source: string;
  receivedAt: string;
}

/** A station message kept as received, without interpretation (security events, reports). */
export interface StoredReport {
  action: string;
  receivedAt: string;
  payloadJson: string;
}

/** Everything one handled message changes; the store commits it atomically or not at all. */
export interface ChangeRecord {
  identity: string;
  state: ChargePointState;
  finished: TransactionInfo[];
  /** 1.6 StartTransaction business key -> transaction id, so replays get the same id. */
  startKeys: { key: string; transactionId: number }[];
  /** 2.0.1 station transaction id -> local id (kept after the transaction ends). */
  ocppTransactionIds: { ocppTransactionId: string; transactionId: number }[];
  /** 2.0.1 TransactionEvent seqNo seen for a transaction. */
  seqNos: { transactionId: number; seqNo: number }[];
  readings: StoredReading[];
  reports: StoredReport[];
  /** Keys of stored reports to drop (the oldest, over the station's budget). */
  droppedReports: string[];
  /** Sessions that ended (stopped or failed): they leave the state and are kept as records. */
  finishedSessions: ConsumerSession[];
  /** Signed events to publish once this change is durable (the outbox). */
  outbox: OutboxRecord[];
  /** Sessions to settle on chain (new jobs), and settled ones to forget. */
  settlements: SettlementJob[];
  settled: string[];
  /** Payouts written or updated (an open one is listed for the chain watcher until it executes or fails). */
  payouts: Payout[];
  /** Debts written or updated; one whose amount is "0" is removed. */
  debts: Debt[];
  /** Consumer requests this change carries out: their replay keys are written with it. */
  requests: RequestClaim[];
}

/**
 * A consumer request's replay key (the minute of its timestamp, its signer, its nonce), claimed
 * when the request arrives and durable before the request acts. A request whose first act is a
 * station change (a start, a stop) has the key written in that change's batch instead of a
 * write of its own before it: one storage round trip fewer before the station is asked.
 * `recorded`: the key is durable (set once the change that carried it committed).
 */
export interface RequestClaim {
  readonly minute: number;
  readonly signerHex: string;
  readonly nonceHex: string;
  recorded: boolean;
}

/** A change of the station that records nothing yet besides its state. */
export function emptyChange(identity: string, state: ChargePointState): ChangeRecord {
  return {
    identity, state, finished: [], startKeys: [], ocppTransactionIds: [], seqNos: [], readings: [], reports: [], droppedReports: [], finishedSessions: [], outbox: [],
    settlements: [], settled: [], payouts: [], debts: [], requests: [],
  };
}

/** An event ready to publish: its topic, its sequence number there, and the signed envelope. */
export interface OutboxRecord {
  topic: string;
  seq: number;
  envelope: Uint8Array;
  /**
   * Whether a connected peer followed the topic when the event was made. One that no peer
   * followed is only archived, never queued for publishing: a wallet that follows the topic
   * later fetches it from the archive (EventsRequest), as it does for anything it missed.
   */
  followed: boolean;
  /**
   * The station whose own topic this is (a boot or a state change on cgw/v1/station/<id>).
   * Its number is kept in that station's state record, which the same change writes; other
   * topics keep a counter record of their own.
   */
  station?: string;
}
