import { removeReservation } from './reservations.ts';
import { emptyConnector } from './charge-point.ts';
import { chargingStatus, energyRegisterWh } from './meter.ts';
import type { ChangeRecord } from './change.ts';
import type { ChargePointState, MeterReading, TransactionInfo, TransactionStart, TransactionStop } from './model.ts';

// 1.6 transaction ids are positive int32 values assigned by the central system.
const MAX_TRANSACTION_ID = 2 ** 31 - 1;
// A run of seqNos is kept in int32 fields.
const MAX_RUN_SEQ_NO = 2 ** 31 - 1;

export function emptyTransaction(id: number): TransactionInfo {
  return {
    id,
    idTag: '',
    connectorId: 0,
    startTime: '',
    endTime: '',
    startMeter: 0,
    endMeter: 0,
    ocppTransactionId: '',
    evseId: 0,
    startReceivedAt: '',
    endReceivedAt: '',
    stopReason: '',
    lastSeqNo: 0,
    remoteStartId: 0,
    offline: false,
    lastMeter: 0,
    lastMeterTime: '',
    idTagStatus: '',
    idTokenType: '',
    orphan: false,
    seqNoRun: false,
    seqNoRunFirst: 0,
    seqNoRunLast: 0,
    seqNoOutliers: false,
  };
}

/** The next local transaction id from the station's counter (wraps before int32 overflow). */
export function nextTransactionId(state: ChargePointState): number {
  let id = state.currentTransactionId >= MAX_TRANSACTION_ID ? 1 : state.currentTransactionId + 1;
  while (state.transactions[id]) id = id >= MAX_TRANSACTION_ID ? 1 : id + 1;
  state.currentTransactionId = id;
  return id;
}

/** Opens a transaction on a connector under `id` (from nextTransactionId); returns it, placed in the state. */
export function openTransaction(state: ChargePointState, start: TransactionStart, idTagStatus: string, receivedAt: string, id: number): TransactionInfo {
  // A start with a reservation uses it up (1.6 StartTransaction, 2.0.1 TransactionEvent Started).
  if (start.reservationId !== undefined) removeReservation(state, start.reservationId);
  const tx = emptyTransaction(id);
  tx.idTag = start.idTag;
  tx.idTokenType = start.idTokenType ?? '';
  tx.connectorId = start.connectorId;
  tx.startTime = start.stationTime;
  tx.startReceivedAt = receivedAt;
  tx.startMeter = start.meterStartWh;
  tx.lastMeter = start.meterStartWh;
  tx.lastMeterTime = start.stationTime;
  tx.idTagStatus = idTagStatus;
  tx.offline = start.offline ?? false;
  tx.remoteStartId = start.remoteStartId ?? 0;
  if (start.ocppTransactionId !== undefined) {
    tx.ocppTransactionId = start.ocppTransactionId;
    tx.evseId = start.connectorId;
    state.transactionIds[start.ocppTransactionId] = tx.id;
  }
  state.transactions[tx.id] = tx;
  const connector = state.connectors[start.connectorId] ?? emptyConnector(start.connectorId);
  connector.currentTransaction = tx.id;
  state.connectors[start.connectorId] = connector;
  return tx;
}

/** Applies a meter reading to an open transaction: energy register and live progress. */
export function applyReading(tx: TransactionInfo, reading: MeterReading): void {
  const wh = energyRegisterWh(reading.samples);
  // Readings may arrive out of order (offline queues); keep the latest by station time.
  const newer = !tx.lastMeterTime || reading.stationTime >= tx.lastMeterTime;
  if (wh !== undefined && newer) {
    tx.lastMeter = wh;
    tx.lastMeterTime = reading.stationTime;
  }
  const progress = chargingStatus(reading.samples, tx.progress);
  if (progress && newer) tx.progress = progress;
}

/**
 * Closes an open transaction: it leaves the state's open set and its connector; the
 * caller persists the returned record as a finished transaction.
 */
export function closeTransaction(state: ChargePointState, txId: number, stop: TransactionStop, receivedAt: string): TransactionInfo | undefined {
  const tx = state.transactions[txId];
  if (!tx) return undefined;
  tx.endTime = stop.stationTime;
  tx.endReceivedAt = receivedAt;
  tx.endMeter = stop.meterStopWh ?? tx.lastMeter;
  // The stop's own reading is the last one (seen: lastMeter kept the reading before it).
  if (stop.meterStopWh !== undefined) {
    tx.lastMeter = stop.meterStopWh;
    tx.lastMeterTime = stop.stationTime;
  }
  tx.stopReason = stop.reason ?? '';
  delete state.transactions[txId];
  if (tx.ocppTransactionId) delete state.transactionIds[tx.ocppTransactionId];
  const connector = state.connectors[tx.connectorId];
  if (connector?.currentTransaction === txId) connector.currentTransaction = 0;
  return tx;
}

/** A record for a stop whose start this node never saw (e.g. 1.6 transactionId -1). */
export function orphanTransaction(txId: number, connectorId: number, idTag: string, stop: TransactionStop, receivedAt: string): TransactionInfo {
  const tx = emptyTransaction(txId);
  tx.connectorId = connectorId;
  tx.idTag = idTag;
  tx.endTime = stop.stationTime;
  tx.endReceivedAt = receivedAt;
  tx.endMeter = stop.meterStopWh ?? 0;
  tx.stopReason = stop.reason ?? '';
  tx.orphan = true;
  return tx;
}

/** Energy delivered in Wh, when both readings are known. */
export function energyWh(tx: TransactionInfo): number {
  return Math.max(0, tx.endMeter - tx.startMeter);
}

/** Energy so far of a running transaction, in Wh, from its last reading. */
export function energySoFarWh(tx: TransactionInfo): number {
  return Math.max(0, tx.lastMeter - tx.startMeter);
}

/** Seconds from a running transaction's start to its last reading (station clock). */
export function durationSoFarS(tx: TransactionInfo): number {
  const s = Math.round((Date.parse(tx.lastMeterTime || tx.startTime) - Date.parse(tx.startTime)) / 1000);
  return Number.isFinite(s) && s > 0 ? s : 0;
}

/** Whether a 2.0.1 seqNo is in the transaction's run (seen, with no record of its own). */
export function inSeqNoRun(tx: TransactionInfo, seqNo: number): boolean {
  return tx.seqNoRun && seqNo >= tx.seqNoRunFirst && seqNo <= tx.seqNoRunLast;
}

/**
 * Notes a 2.0.1 seqNo just taken for an open transaction (or the one it opened): it starts or
 * extends the transaction's run (no record: a station sends its numbers in order, so this is
 * the common case and costs no write of its own), or is kept as a record of its own.
 */
export function noteSeqNo(change: Pick<ChangeRecord, 'seqNos'>, tx: TransactionInfo, seqNo: number, opened: boolean): void {
  const fits = Number.isInteger(seqNo) && seqNo >= 0 && seqNo <= MAX_RUN_SEQ_NO;
  if (fits && opened) {
    tx.seqNoRun = true;
    tx.seqNoRunFirst = seqNo;
    tx.seqNoRunLast = seqNo;
    return;
  }
  if (fits && tx.seqNoRun && seqNo === tx.seqNoRunLast + 1) {
    tx.seqNoRunLast = seqNo;
    return;
  }
  change.seqNos.push({ transactionId: tx.id, seqNo });
  if (tx.seqNoRun) tx.seqNoOutliers = true;
}
