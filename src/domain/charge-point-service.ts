import { createHash } from 'node:crypto';
import { CodedError } from '../coded-error.ts';
import { Listeners } from './listeners.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { authorize, isConsumerTag, useGrant, type AuthorizationDecision, type AuthorizationPolicy } from './authorization.ts';
import { applyBoot, applyStatus, emptyState, isAccepted, type BootCommand, type StatusCommand } from './charge-point.ts';
import type { ChargePointState, MeterReading, TransactionInfo, TransactionStart, TransactionStop } from './model.ts';
import { commitMayHaveLanded, type ChargePointRepository, type StateChange, type StoredReport } from './ports.ts';
import { emptyChange, type OutboxRecord, type RequestClaim } from './change.ts';
import type { DomainEvent, SessionEvent } from './events.ts';
import type { Store_Debt as Debt, Store_Payout as Payout } from '../proto/types.ts';
import type { Tariff } from './pricing.ts';
import { buildReceipt, signedValuesIn } from './receipts.ts';
import { endSessionOf, linkStartedTransaction, type ConsumerSession } from './sessions.ts';
import { removeReservation } from './reservations.ts';
import { applyReading, closeTransaction, inSeqNoRun, nextTransactionId, noteSeqNo, openTransaction, orphanTransaction } from './transactions.ts';
import { isoTime } from './clock.ts';

const INT32_MAX = 2 ** 31 - 1;

/** The message came over a connection that was replaced or closed: it must change nothing. */
export class StaleConnectionError extends Error {
  constructor(identity: string) {
    super(`a newer connection of ${identity} superseded this one`);
    this.name = 'StaleConnectionError';
  }
}

/** A station that cannot be forgotten: unknown, or with open transactions or active sessions (registered refusal codes). */
export class StationInUseError extends CodedError<'UnknownStation' | 'Conflict'> {}

/** Who a change comes from: the station identity and whether its connection is still the current one. */
export interface Origin {
  identity: string;
  isCurrent: () => boolean;
  /** A message of the station itself: it was seen now. */
  fromStation?: boolean;
}

export interface ServiceOptions {
  repository: ChargePointRepository;
  authorization: AuthorizationPolicy;
  /** Prices every finished consumer session. */
  tariff: Tariff;
  /** Publishes events through the outbox (absent: nothing is published). */
  outbox?: OutboxProjector;
  /** Caps on what a station can make the node store (reports). */
  reportQuota?: ReportQuota;
  /** Queue every finished session for settlement on chain (a chain is configured). */
  settle?: boolean;
  now?: () => Date;
}

/** What one settlement step changes for one station (see ChargePointService.recordSettlement). */
export interface SettlementRecord {
  sessions: ConsumerSession[];
  jobsDone: string[];
  payouts: Payout[];
  debts: Debt[];
  /** Sessions whose payouts the consumer is told about (their settlement names them). */
  delivered: ConsumerSession[];
}

/** Turns a change's events into signed outbox records, committed in the same batch. */
export interface OutboxProjector {
  project(events: DomainEvent[]): Promise<OutboxRecord[]>;
  /** The change of these records did not commit: their sequence numbers are given out again. */
  release(records: OutboxRecord[]): void;
}

export interface MeterValuesCommand {
  connectorId: number;
  /** The transaction the readings belong to, when the station named one. */
  transactionId?: number;
  readings: MeterReading[];
  source: string;
}

export interface StopResult {
  transaction: TransactionInfo;
  decision?: AuthorizationDecision;
  replay: boolean;
}

/** A 2.0.1 TransactionEvent in the domain's terms. */
export interface TransactionEventCommand {
  eventType: 'Started' | 'Updated' | 'Ended';
  seqNo: number;
  start: TransactionStart;
  readings: MeterReading[];
  stop?: TransactionStop;
}

/** 1.6 StartTransaction's business key: a retry with a new message id maps to the same transaction. */
export function startKey(start: TransactionStart): string {
  return createHash('sha256')
    .update(JSON.stringify([start.connectorId, start.idTag, start.meterStartWh, start.stationTime]))
    .digest('hex');
}

export interface ReportQuota {
  maxItemBytes: number;
  maxBytesPerStation: number;
  onTruncated?: (action: string) => void;
  onDropped?: () => void;
}

// Samples of one reading kept when its raw form is over the item cap (a register, currents, voltages…).
const MAX_SAMPLES_KEPT = 64;

/** What is kept of an item over the size cap: its size and hash. */
function truncatedStub(text: string, bytes: number): string {
  return JSON.stringify({ truncated: true, bytes, sha256: createHash('sha256').update(text).digest('hex') });
}

/** One mutation's change record, plus the events it causes. */
interface Draft {
  change: StateChange;
  events: DomainEvent[];
}

/**
 * The charge point rules, serialised per station: load (cached) state, apply a change to
 * a copy, commit it atomically, and only then answer. A failed commit leaves the cached
 * state untouched, and the station gets no acknowledgement for it.
 */
export class ChargePointService {
  private readonly repo: ChargePointRepository;
  private readonly policy: AuthorizationPolicy;
  private readonly now: () => Date;
  private readonly tariff: Tariff;
  private readonly outbox: OutboxProjector | undefined;
  private readonly settle: boolean;
  private readonly reportQuota: ReportQuota | undefined;
  private readonly cache = new Map<string, ChargePointState>();
  /**
   * Told after a commit, once its change is durable: consumer session changes, new outbox
   * entries to publish (the publisher drains them), newly queued settlements (the settlement runs).
   */
  readonly committed = {
    sessionEvent: new Listeners<SessionEvent>(),
    outbox: new Listeners<void>(),
    settlement: new Listeners<void>(),
  };
  private readonly locks = new KeyedQueue();
  // Each station's registration status as last committed (see isAccepted).
  private readonly committedStatus = new Map<string, string>();

  constructor(opts: ServiceOptions) {
    this.repo = opts.repository;
    this.policy = opts.authorization;
    this.now = opts.now ?? (() => new Date());
    this.tariff = opts.tariff;
    this.outbox = opts.outbox;
    this.settle = opts.settle ?? false;
    this.reportQuota = opts.reportQuota;
  }

  /**
   * Settlement progress of this station's sessions, in one commit: the sessions' records
   * (settled, or paid), their settlement jobs done, the payouts and debts as they now stand,
   * and SERVICE_DELIVERED for each session in `delivered` (the payouts a wallet approves).
   */
  async recordSettlement(identity: string, r: SettlementRecord): Promise<void> {
    await this.mutate({ identity, isCurrent: () => true }, ({ change, events }) => {
      change.finishedSessions.push(...r.sessions);
      change.settled.push(...r.jobsDone);
      change.payouts.push(...r.payouts);
      change.debts.push(...r.debts);
      for (const session of r.delivered) events.push({ type: 'serviceDelivered', identity, session });
    });
  }

  /**
   * A change that does not come from a station message (consumer sessions, local list
   * versions), under the same per-station lock and with the same commit-then-return rule.
   * `claim`: the consumer request this change carries out, whose replay key it writes.
   */
  update<T>(identity: string, fn: (change: StateChange) => T | Promise<T>, claim?: RequestClaim): Promise<T> {
    return this.mutate({ identity, isCurrent: () => true }, (draft) => {
      if (claim && !claim.recorded) draft.change.requests.push(claim);
      return fn(draft.change);
    });
  }

  /** Loads every station's state into memory (at start, so sessions of quiet stations are seen). */
  async warmUp(): Promise<number> {
    let n = 0;
    for await (const state of this.repo.stations.allStates()) {
      if (!this.cache.has(state.id)) {
        this.cache.set(state.id, state);
        this.committedStatus.set(state.id, state.status);
      }
      n++;
    }
    return n;
  }

  /** Active consumer sessions by state, over every station in memory (a snapshot, for metrics). */
  sessionCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const state of this.cache.values()) {
      for (const session of Object.values(state.sessions)) out[session.state] = (out[session.state] ?? 0) + 1;
    }
    return out;
  }

  /**
   * A consumer's active sessions on every station (in memory after warmUp), each read under
   * its station's lock so a session being created or ended is seen whole.
   */
  async activeSessionsOf(keyHex: string): Promise<ConsumerSession[]> {
    const out: ConsumerSession[] = [];
    for (const identity of this.cache.keys()) {
      const cached = this.cache.get(identity);
      if (!cached || !Object.values(cached.sessions).some((s) => s.consumerKeyHex === keyHex)) continue;
      const state = await this.state(identity);
      out.push(...Object.values(state?.sessions ?? {}).filter((s) => s.consumerKeyHex === keyHex));
    }
    return out;
  }

  /**
   * Forgets a station that is not connected (the caller checks) and runs nothing: refused
   * while it has an open transaction or an active consumer session.
   */
  forget(identity: string, remove: () => Promise<void>): Promise<void> {
    return this.serialised(identity, async () => {
      const state = await this.load(identity);
      if (!state) throw new StationInUseError('UnknownStation', `unknown station ${identity}`);
      const open = Object.keys(state.transactions).length;
      const sessions = Object.keys(state.sessions).length;
      if (open || sessions) throw new StationInUseError('Conflict', `${identity} has ${open} open transaction(s) and ${sessions} active session(s); end them first`);
      await remove();
      this.cache.delete(identity);
      this.committedStatus.delete(identity);
    });
  }

  /** Whether the node keeps a state for this station (in memory after warmUp). */
  hasStation(identity: string): boolean {
    return this.cache.has(identity);
  }

  /** Identities of the stations whose state is in memory (all of them after warmUp). */
  identities(): string[] {
    return [...this.cache.keys()];
  }

  /** A copy of the station's committed state, or undefined if it never connected. */
  state(identity: string): Promise<ChargePointState | undefined> {
    // Taken under the station's lock, so a change still being committed is never seen.
    return this.serialised(identity, async () => {
      const state = await this.load(identity);
      return state && structuredClone(state);
    });
  }

  /** A consumer's finished sessions on every station of this node, oldest first. */
  finishedSessions(keyHex: string): Promise<ConsumerSession[]> {
    return this.repo.sessions.ofConsumer(keyHex);
  }

  /**
   * From the last committed registration status: a mutation changes the cached state in
   * place before its commit is durable, and an answer must never rest on what might not be
   * kept. Asked for every station message, so it reads a map, not the lock queue.
   */
  async isAccepted(identity: string): Promise<boolean> {
    const committed = this.committedStatus.get(identity);
    if (committed !== undefined) return committed === 'Accepted';
    return this.serialised(identity, async () => isAccepted(await this.load(identity)));
  }

  async boot(origin: Origin, cmd: Omit<BootCommand, 'receivedAt'>): Promise<void> {
    await this.mutate(origin, ({ change, events }) => {
      applyBoot(change.state, { ...cmd, receivedAt: isoTime(this.now()) });
      events.push({ type: 'booted', identity: origin.identity, state: change.state });
    });
  }

  async heartbeat(origin: Origin): Promise<void> {
    await this.mutate(origin, ({ change }) => { change.state.lastSeenAt = isoTime(this.now()); });
  }

  /** 2.0.1 ReservationStatusUpdate: the station says a reservation expired or was removed. */
  async reservationEnded(origin: Origin, reservationId: number): Promise<void> {
    await this.mutate(origin, ({ change }) => { removeReservation(change.state, reservationId); });
  }

  async status(origin: Origin, cmd: Omit<StatusCommand, 'receivedAt'>): Promise<void> {
    await this.mutate(origin, ({ change, events }) => {
      applyStatus(change.state, { ...cmd, receivedAt: isoTime(this.now()) });
      events.push({ type: 'stationChanged', identity: origin.identity, state: change.state });
    });
  }

  authorize(identity: string, idTag: string): Promise<AuthorizationDecision> {
    return this.serialised(identity, async () => authorize((await this.load(identity)) ?? emptyState(identity), idTag, this.policy, this.now()));
  }

  /**
   * Keeps a station message as received (security events, device model reports, data
   * transfers, status notifications); `apply` changes the station's state by what it says, in
   * the same commit.
   */
  async report(origin: Origin, report: Omit<StoredReport, 'receivedAt'>, apply?: (state: ChargePointState, now: Date) => void): Promise<void> {
    await this.mutate(origin, async ({ change }) => {
      apply?.(change.state, this.now());
      await this.keepReport(change, report);
    });
  }

  /**
   * A report within the station's quota: an item over the size cap is kept as a stub (its size
   * and hash), and the oldest reports go when the station's budget is exceeded. Whatever a
   * station sends, it cannot fill the disk.
   */
  private async keepReport(change: StateChange, report: Omit<StoredReport, 'receivedAt'>): Promise<void> {
    const quota = this.reportQuota;
    const bytes = Buffer.byteLength(report.payloadJson);
    let payloadJson = report.payloadJson;
    if (quota && bytes > quota.maxItemBytes) {
      payloadJson = truncatedStub(report.payloadJson, bytes);
      quota.onTruncated?.(report.action);
    }
    change.reports.push({ action: report.action, payloadJson, receivedAt: isoTime(this.now()) });
    const state = change.state;
    state.reportsBytes += Buffer.byteLength(payloadJson);
    if (!quota || state.reportsBytes <= quota.maxBytesPerStation) return;
    for (const old of await this.repo.stations.oldestReports(change.identity, state.reportsBytes - quota.maxBytesPerStation)) {
      if (state.reportsBytes <= quota.maxBytesPerStation) break;
      change.droppedReports.push(old.key);
      state.reportsBytes = Math.max(0, state.reportsBytes - old.bytes);
      quota.onDropped?.();
    }
  }

  /** A transaction's reading as stored: its raw sampled values over the item cap become a stub (the parsed values stay). */
  private capped(reading: MeterReading, action: string): MeterReading {
    const quota = this.reportQuota;
    const bytes = Buffer.byteLength(reading.rawJson);
    if (!quota || bytes <= quota.maxItemBytes) return reading;
    quota.onTruncated?.(action);
    return { ...reading, samples: reading.samples.slice(0, MAX_SAMPLES_KEPT), rawJson: truncatedStub(reading.rawJson, bytes) };
  }

  /** 1.6 StartTransaction: a replay (same business key) gets the same transaction id. */
  async startTransaction(origin: Origin, start: TransactionStart): Promise<{ transactionId: number; decision: AuthorizationDecision; replay: boolean }> {
    const key = startKey(start);
    return this.mutate(origin, async (draft) => {
      const { change } = draft;
      const decision = authorize(change.state, start.idTag, this.policy, this.now());
      const known = await this.repo.stations.findStartKey(origin.identity, key);
      if (known !== undefined) {
        // A replay gets the answer the start got (a refused consumer tag stays refused).
        const tx = change.state.transactions[known] ?? (await this.repo.stations.loadFinished(origin.identity, known));
        return { transactionId: known, decision: tx?.idTagStatus === 'Invalid' ? { status: 'Invalid' } : decision, replay: true };
      }
      const receivedAt = isoTime(this.now());
      const tx = openTransaction(change.state, start, decision.status, receivedAt, await this.freshTransactionId(origin.identity, change.state));
      change.startKeys.push({ key, transactionId: tx.id });
      const final = this.startDecision(draft, tx, decision);
      return { transactionId: tx.id, decision: final, replay: false };
    });
  }

  /**
   * Readings of an open transaction move it on; those of a finished one are kept with it. A
   * transaction id this node never issued is kept as an orphan reading (under id 0, with the
   * id the station named), never filed under an id a later transaction would get.
   */
  async meterValues(origin: Origin, cmd: MeterValuesCommand): Promise<void> {
    await this.mutate(origin, async (draft) => {
      const state = draft.change.state;
      let txId = cmd.transactionId ?? state.connectors[cmd.connectorId]?.currentTransaction ?? 0;
      const tx = state.transactions[txId];
      let claimedTransactionId: number | undefined;
      if (!tx && txId !== 0 && !(await this.repo.stations.loadFinished(origin.identity, txId))) {
        claimedTransactionId = txId;
        txId = 0;
      }
      const receivedAt = isoTime(this.now());
      if (txId === 0) {
        // Outside any transaction (idle clock-aligned values, or an id this node never issued):
        // kept as the station sent them within its report quota, never filed under a transaction.
        const meterValue = cmd.readings.map((r) => `{"timestamp":${JSON.stringify(r.stationTime)},"sampledValue":${r.rawJson}}`).join(',');
        const claimed = claimedTransactionId ? `"transactionId":${claimedTransactionId},` : '';
        await this.keepReport(draft.change, { action: cmd.source, payloadJson: `{"connectorId":${cmd.connectorId},${claimed}"meterValue":[${meterValue}]}` });
        return;
      }
      for (const reading of cmd.readings) {
        if (tx) applyReading(tx, reading);
        draft.change.readings.push({ connectorId: cmd.connectorId, transactionId: txId, reading: this.capped(reading, cmd.source), source: cmd.source, receivedAt });
      }
      if (tx) this.reportProgress(draft, tx);
    });
  }

  /**
   * 1.6 StopTransaction. A stop for a transaction that already ended is a replay and is
   * answered the same way; a stop for one never seen (e.g. transactionId -1) is kept as an
   * orphan record so its energy is not lost.
   */
  async stopTransaction(origin: Origin, txId: number, stop: TransactionStop, extra: { idTag?: string; readings: MeterReading[] }): Promise<StopResult> {
    return this.mutate(origin, async (draft) => {
      const { change } = draft;
      const state = change.state;
      const decision = extra.idTag ? authorize(state, extra.idTag, this.policy, this.now()) : undefined;
      const withDecision = decision ? { decision } : {};
      const open = state.transactions[txId];
      if (!open) {
        const finished = await this.repo.stations.loadFinished(origin.identity, txId);
        if (finished) return { transaction: finished, ...withDecision, replay: true };
      }
      const receivedAt = isoTime(this.now());
      const connectorId = open?.connectorId ?? 0;
      for (const reading of extra.readings) {
        if (open) applyReading(open, reading);
        change.readings.push({ connectorId, transactionId: txId, reading: this.capped(reading, 'StopTransaction'), source: 'StopTransaction', receivedAt });
      }
      const closed = closeTransaction(state, txId, stop, receivedAt);
      const tx = closed ?? orphanTransaction(txId, connectorId, extra.idTag ?? '', stop, receivedAt);
      change.finished.push(tx);
      if (closed) await this.endSession(draft, closed);
      return { transaction: tx, ...withDecision, replay: false };
    });
  }

  /**
   * 2.0.1 TransactionEvent, de-duplicated on (transactionId, seqNo). Any event type opens
   * the transaction when it was never seen (its Started may have been lost offline).
   */
  async transactionEvent(origin: Origin, cmd: TransactionEventCommand): Promise<{ transaction: TransactionInfo; decision?: AuthorizationDecision; replay: boolean }> {
    const ocppId = cmd.start.ocppTransactionId!;
    return this.mutate(origin, async (draft) => {
      const { change } = draft;
      const state = change.state;
      const decision = cmd.start.idTag ? authorize(state, cmd.start.idTag, this.policy, this.now()) : undefined;
      const withDecision = decision ? { decision } : {};
      let localId = state.transactionIds[ocppId] ?? (await this.repo.stations.findOcppTransaction(origin.identity, ocppId));
      if (localId !== undefined && !state.transactions[localId]) {
        // An event for a transaction id that already ended. The same Started again (a retry) has
        // the same start time, and a late event of that transaction was made before its end;
        // a Started at another time, or any event made after the end, means the station reused
        // the id for a new transaction, which gets a new local id (never lost as a "replay").
        const ended = await this.repo.stations.loadFinished(origin.identity, localId);
        const reused = ended && (cmd.eventType === 'Started'
          ? ended.startTime !== cmd.start.stationTime
          : Date.parse(cmd.start.stationTime) > Date.parse(ended.endTime));
        if (reused) localId = undefined;
      }
      // Every seqNo kept for an open transaction is at most its lastSeqNo: a higher one is new,
      // and the common case (the next event of a running transaction) needs no read.
      const open = localId !== undefined ? state.transactions[localId] : undefined;
      // lastSeqNo is stored as int32: a seqNo beyond it is looked up like any other.
      const isNext = open !== undefined && cmd.seqNo > open.lastSeqNo && cmd.seqNo <= INT32_MAX;
      if (localId !== undefined && !isNext) {
        const known = open ?? (await this.repo.stations.loadFinished(origin.identity, localId));
        if (known && (await this.seqNoSeen(origin.identity, known, cmd.seqNo, open !== undefined))) return { transaction: known, ...withDecision, replay: true };
      }
      const receivedAt = isoTime(this.now());
      let tx = localId !== undefined ? state.transactions[localId] : undefined;
      if (localId !== undefined && !tx) {
        // An event after the transaction ended (late Updated): keep its readings only.
        const finished = await this.repo.stations.loadFinished(origin.identity, localId);
        if (finished) {
          this.keepReadings(change, cmd.readings, finished, receivedAt);
          change.seqNos.push({ transactionId: localId, seqNo: cmd.seqNo });
          return { transaction: finished, ...withDecision, replay: false };
        }
      }
      const opened = !tx;
      if (!tx) {
        tx = openTransaction(state, cmd.start, decision?.status ?? '', receivedAt, await this.freshTransactionId(origin.identity, state));
        change.ocppTransactionIds.push({ ocppTransactionId: ocppId, transactionId: tx.id });
      } else if (cmd.start.idTag && !tx.idTag) {
        tx.idTag = cmd.start.idTag;
        tx.idTokenType = cmd.start.idTokenType ?? '';
        tx.idTagStatus = decision?.status ?? '';
      }
      if (cmd.start.remoteStartId !== undefined) tx.remoteStartId = cmd.start.remoteStartId;
      // The idToken may first appear on a later event (authorization after plug-in).
      let answered = decision;
      if (!Object.values(state.sessions).some((s) => s.transactionId === tx.id) && decision) answered = this.startDecision(draft, tx, decision);
      const withAnswer = answered ? { decision: answered } : {};
      // An int32 field: a larger number is kept as the largest (and looked up like any other).
      tx.lastSeqNo = Math.min(INT32_MAX, Math.max(tx.lastSeqNo, cmd.seqNo));
      for (const reading of cmd.readings) applyReading(tx, reading);
      if (cmd.readings.length && cmd.eventType !== 'Ended') this.reportProgress(draft, tx);
      this.keepReadings(change, cmd.readings, tx, receivedAt);
      noteSeqNo(change, tx, cmd.seqNo, opened);
      if (cmd.eventType === 'Ended') {
        const closed = closeTransaction(state, tx.id, cmd.stop ?? { stationTime: cmd.start.stationTime }, receivedAt)!;
        change.finished.push(closed);
        await this.endSession(draft, closed);
        return { transaction: closed, ...withAnswer, replay: false };
      }
      return { transaction: tx, ...withAnswer, replay: false };
    });
  }

  /**
   * Whether a transaction's event with this seqNo was taken before. A finished transaction is
   * always looked up beyond its run: an event after its end is recorded without marking it.
   */
  private async seqNoSeen(identity: string, tx: TransactionInfo, seqNo: number, open: boolean): Promise<boolean> {
    if (inSeqNoRun(tx, seqNo)) return true;
    if (tx.seqNoRun && open && !tx.seqNoOutliers) return false;
    return this.repo.stations.hasSeqNo(identity, tx.id, seqNo);
  }

  /**
   * The next transaction id that no record holds: a stop for an id this node never issued is
   * kept as an orphan under that id, and a later transaction must not take it over.
   */
  private async freshTransactionId(identity: string, state: ChargePointState): Promise<number> {
    let id = nextTransactionId(state);
    while (await this.repo.stations.loadFinished(identity, id)) id = nextTransactionId(state);
    return id;
  }

  /** A consumer charging on this transaction hears about its progress. */
  private reportProgress(draft: Draft, tx: TransactionInfo): void {
    const session = Object.values(draft.change.state.sessions).find((s) => s.transactionId === tx.id);
    if (session) draft.events.push({ type: 'progress', identity: draft.change.identity, session, transaction: tx });
  }

  /**
   * Ties a started transaction to its consumer session. A consumer's idTag is good only for
   * that consumer's session: a transaction it cannot be tied to is refused (Invalid: the
   * station stops it), never run unbilled. A granted remote start's tag is used up.
   */
  private startDecision(draft: Draft, tx: TransactionInfo, decision: AuthorizationDecision): AuthorizationDecision {
    const state = draft.change.state;
    const session = linkStartedTransaction(state, tx, this.now());
    if (session) {
      draft.events.push({ type: 'sessionStarted', identity: draft.change.identity, session, transaction: tx });
      return decision;
    }
    if (state.remoteStartGrants[tx.idTag]) useGrant(state, tx.idTag, this.now());
    if (tx.idTag && isConsumerTag(state, tx.idTag) && decision.status === 'Accepted') {
      tx.idTagStatus = 'Invalid';
      return { status: 'Invalid' };
    }
    return decision;
  }

  /** Ends the consumer session of a finished transaction with its priced receipt. */
  private async endSession(draft: Draft, tx: TransactionInfo): Promise<void> {
    const { change } = draft;
    const session = endSessionOf(change.state, tx, this.now());
    if (!session) return;
    const stored = await this.repo.stations.loadReadingsJson(change.identity, tx.id);
    const fresh = change.readings.filter((r) => r.transactionId === tx.id).map((r) => r.reading.rawJson);
    const signed = [...stored, ...fresh].flatMap(signedValuesIn);
    session.receipt = buildReceipt(session, tx, this.tariff, [...new Set(signed)], this.now());
    change.finishedSessions.push(session);
    if (this.settle) {
      change.settlements.push({
        sessionId: session.id, station: change.identity, spent: session.receipt.totalAmount, createdAt: isoTime(this.now()), attempts: 0, lastError: '',
        budget: session.budget, consumerKeyHex: session.consumerKeyHex,
      });
    }
    draft.events.push({ type: 'sessionEnded', identity: change.identity, session, transaction: tx });
  }

  private keepReadings(change: StateChange, readings: MeterReading[], tx: TransactionInfo, receivedAt: string): void {
    for (const reading of readings) {
      change.readings.push({ connectorId: tx.connectorId, transactionId: tx.id, reading: this.capped(reading, 'TransactionEvent'), source: 'TransactionEvent', receivedAt });
    }
  }

  private async load(identity: string): Promise<ChargePointState | undefined> {
    const cached = this.cache.get(identity);
    if (cached) return cached;
    const stored = await this.repo.stations.loadState(identity);
    if (stored) {
      this.cache.set(identity, stored);
      this.committedStatus.set(identity, stored.status);
    }
    return stored;
  }

  /**
   * Runs `fn` on the station's state under the station's lock, then commits. The cached
   * state is changed in place (no copy per message); if anything fails before the commit
   * is durable, the cache entry is dropped so the next message reloads the last committed
   * state from the repository.
   */
  private mutate<T>(origin: Origin, fn: (draft: Draft) => T | Promise<T>): Promise<T> {
    const { identity } = origin;
    return this.serialised(identity, async () => {
      const state = (await this.load(identity)) ?? emptyState(identity);
      this.cache.set(identity, state);
      try {
        const draft: Draft = { change: emptyChange(identity, state), events: [] };
        // Every message of a station counts as seen (seen: lastSeenAt moved on boot only).
        if (origin.fromStation) state.lastSeenAt = isoTime(this.now());
        const result = await fn(draft);
        // Checked last, inside the lock: a replaced connection never overwrites newer state.
        if (!origin.isCurrent()) throw new StaleConnectionError(identity);
        if (this.outbox && draft.events.length) draft.change.outbox.push(...(await this.outbox.project(draft.events)));
        // The station's own event topic is numbered in its state, which this change writes.
        for (const record of draft.change.outbox) if (record.station === identity && record.seq > state.eventSeq) state.eventSeq = record.seq;
        try {
          await this.repo.commit(draft.change);
        } catch (err) {
          // No gap in a topic's numbers: those of a change that did not commit are used again.
          if (!commitMayHaveLanded(err)) this.outbox?.release(draft.change.outbox);
          throw err;
        }
        for (const claim of draft.change.requests) claim.recorded = true;
        this.committedStatus.set(identity, state.status);
        if (draft.change.outbox.some((record) => record.followed)) this.committed.outbox.emit();
        if (draft.change.settlements.length) this.committed.settlement.emit();
        for (const event of draft.events) {
          if (event.type !== 'booted' && event.type !== 'stationChanged') this.committed.sessionEvent.emit(event);
        }
        return result;
      } catch (err) {
        this.cache.delete(identity);
        throw err;
      }
    });
  }

  /** Runs `task` after every earlier task of the same station has finished. */
  private serialised<T>(identity: string, task: () => Promise<T>): Promise<T> {
    return this.locks.run(identity, task);
  }
}
