import type { ChargePointService } from '../domain/charge-point-service.ts';
import { compareEntries, historyEntry, historyPage, matches, type HistoryCursor, type HistoryEntry, type HistoryFilter } from '../domain/history.ts';
import type { SessionRecords, StationRecords } from '../domain/ports.ts';
import type { TransactionInfo } from '../domain/model.ts';
import { signedValuesIn } from '../domain/receipts.ts';
import { BridgeError } from './bridge-error.ts';
import { knownStation } from './online-station.ts';

export interface TransactionHistoryOptions {
  service: ChargePointService;
  stations: Pick<StationRecords, 'finishedTransactions' | 'readings'>;
  sessions: Pick<SessionRecords, 'ofStation'>;
}

/** One meter reading of a transaction as the station sent it, signed values marked. */
export interface ReadingView {
  stationTime: string;
  receivedAt: string;
  source: string;
  sampledValue: unknown;
  /** It carries a signed meter value (1.6 SignedData, 2.0.1 signedMeterValue). */
  signed: boolean;
}

/**
 * The operator's history of transactions on every station: open ones from the stations' state,
 * finished ones from storage, each with the consumer whose session it was; filtered, and paged
 * by a cursor so that pages stay stable while transactions start.
 */
export class TransactionHistory {
  private readonly opts: TransactionHistoryOptions;

  constructor(opts: TransactionHistoryOptions) {
    this.opts = opts;
  }

  /** Every transaction that matches, newest start first. */
  async entries(filter: HistoryFilter): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    for (const identity of filter.station ? [filter.station] : this.opts.service.identities()) {
      const state = await this.opts.service.state(identity);
      if (!state) continue;
      // Whose session each transaction was: running sessions in the state, ended ones stored.
      const consumerOf = new Map<number, string>();
      // An ended session names its transaction's start too: ids begin again at 1 when a
      // deleted station comes back, and its old consumers' sessions are kept.
      const ended = new Map<number, { start: string; consumer: string }>();
      for (const s of await this.opts.sessions.ofStation(identity)) {
        if (s.transactionId) ended.set(s.transactionId, { start: s.receipt?.transaction?.startTime ?? '', consumer: s.consumerKeyHex });
      }
      for (const s of Object.values(state.sessions)) if (s.transactionId) consumerOf.set(s.transactionId, s.consumerKeyHex);
      const consumer = (tx: TransactionInfo): string => {
        const was = ended.get(tx.id);
        return consumerOf.get(tx.id) ?? (was && (!was.start || was.start === tx.startTime) ? was.consumer : '');
      };
      // Read the finished ones after the open ones: one that ends in between is listed once, finished.
      const open = filter.state === 'finished' ? [] : Object.values(state.transactions).map((tx) => structuredClone(tx));
      const finished = filter.state === 'open' ? [] : await this.opts.stations.finishedTransactions(identity);
      const done = new Set(finished.map((tx) => tx.id));
      for (const tx of open) if (!done.has(tx.id)) out.push(historyEntry(identity, tx, 'open', consumer(tx)));
      for (const tx of finished) out.push(historyEntry(identity, tx, 'finished', consumer(tx)));
    }
    return out.filter((e) => matches(e, filter)).sort(compareEntries);
  }

  /** One page after `cursor`; `next` is where the following page starts, absent on the last. */
  async page(filter: HistoryFilter, limit: number, cursor?: HistoryCursor): Promise<{ items: HistoryEntry[]; next?: HistoryCursor }> {
    return historyPage(await this.entries(filter), limit, cursor);
  }

  /** A transaction with its meter readings. */
  async detail(identity: string, transactionId: number): Promise<HistoryEntry & { readings: ReadingView[] }> {
    await knownStation(this.opts.service, identity);
    const [entry] = (await this.entries({ station: identity })).filter((e) => e.id === transactionId);
    if (!entry) throw new BridgeError('NotFound', `no transaction ${transactionId} on ${identity}`);
    const stored = (await this.opts.stations.readings(identity, transactionId)).sort((a, b) => Date.parse(a.stationTime) - Date.parse(b.stationTime));
    const readings = stored.map((r) => ({
      stationTime: r.stationTime, receivedAt: r.receivedAt, source: r.source,
      sampledValue: JSON.parse(r.sampledValuesJson) as unknown, signed: signedValuesIn(r.sampledValuesJson).length > 0,
    }));
    return { ...entry, readings };
  }
}
