import type { TransactionInfo } from './model.ts';
import { energySoFarWh, energyWh } from './transactions.ts';

/** A transaction as the history lists it, on any station. */
export interface HistoryEntry {
  station: string;
  id: number;
  /** 2.0.1: the station's own transaction id. */
  ocppTransactionId: string;
  connectorId: number;
  idTag: string;
  /** The consumer whose session it was (key hex), when a consumer started it. */
  consumer: string;
  state: 'open' | 'finished';
  /** The station's clock. */
  startTime: string;
  endTime: string;
  /** When the node received the start: the history's order (a station's clock may lag or jump). */
  receivedAt: string;
  energyWh: number;
  stopReason: string;
}

export interface HistoryFilter {
  station?: string;
  /** Started at or after / before (ISO 8601, the station's clock). */
  from?: string;
  to?: string;
  consumer?: string;
  idTag?: string;
  state?: 'open' | 'finished';
}

export function historyEntry(station: string, tx: TransactionInfo, state: HistoryEntry['state'], consumer: string): HistoryEntry {
  return {
    station, id: tx.id, ocppTransactionId: tx.ocppTransactionId, connectorId: tx.connectorId, idTag: tx.idTag, consumer, state,
    startTime: tx.startTime, endTime: tx.endTime, receivedAt: tx.startReceivedAt || tx.startTime, energyWh: state === 'finished' ? energyWh(tx) : energySoFarWh(tx), stopReason: tx.stopReason,
  };
}

export function matches(entry: HistoryEntry, f: HistoryFilter): boolean {
  const started = Date.parse(entry.startTime);
  return (!f.station || entry.station === f.station)
    && (!f.from || started >= Date.parse(f.from))
    && (!f.to || started < Date.parse(f.to))
    && (!f.consumer || entry.consumer === f.consumer)
    && (!f.idTag || entry.idTag === f.idTag)
    && (!f.state || entry.state === f.state);
}

/** Where a page ends: the sort key of its last entry. */
export interface HistoryCursor {
  receivedAt: string;
  station: string;
  id: number;
}

/**
 * Newest first by when the node received the start (its own clock only moves on, so a
 * transaction that starts later sorts first, whatever the station's clock says); the same
 * moment by station, then by id (newest first): a total order.
 */
export function compareEntries(a: HistoryCursor, b: HistoryCursor): number {
  const byTime = Date.parse(b.receivedAt) - Date.parse(a.receivedAt);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  if (a.station !== b.station) return a.station < b.station ? -1 : 1;
  return b.id - a.id;
}

/**
 * One page after `cursor`, in the history's order. Paging by the last entry's sort key (not
 * by offset) neither repeats nor skips an entry while transactions start meanwhile: a new one
 * sorts before every page already read.
 */
export function historyPage(entries: HistoryEntry[], limit: number, cursor?: HistoryCursor): { items: HistoryEntry[]; next?: HistoryCursor } {
  const sorted = entries.filter((e) => !cursor || compareEntries(cursor, e) < 0).sort(compareEntries);
  const items = sorted.slice(0, limit);
  const last = items.at(-1);
  return { items, ...(sorted.length > limit && last ? { next: { receivedAt: last.receivedAt, station: last.station, id: last.id } } : {}) };
}
