import { randomInt, randomUUID } from 'node:crypto';
import { parseConsumerKey, type ConsumerKey } from '../crypto/consumer-key.ts';
import type { ChargePointService } from '../domain/charge-point-service.ts';
import type { RequestClaim } from '../domain/change.ts';
import type { SessionEvent } from '../domain/events.ts';
import type { ChargePointState, TransactionInfo } from '../domain/model.ts';
import { KeyedQueue } from '../domain/keyed-queue.ts';
import { cancellationAnswered, owedCancellation } from '../domain/reservations.ts';
import { connectorRefusal, sessionOfConsumer, sessionOnConnector, type ConsumerSession } from '../domain/sessions.ts';
import { durationSoFarS, energySoFarWh } from '../domain/transactions.ts';
import type { Session_Receipt as Receipt } from '../proto/types.ts';
import type { Logger } from '../log/logger.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import { onlineStation } from './online-station.ts';
import type { LocalListSync } from './local-list-sync.ts';
import {
  authorizeConsumer, authorizeContract, beginRemoteStart, existingAuthorization, existingContractSession, existingReservation, failUnstarted, markStopping, refuseStart, reserveForConsumer,
  revertStop,
} from './session-operations.ts';
import type { StationLinks } from './station-link.ts';

/** Why a deposit check refused: the code a wallet sees, and the figures in words. */
export interface DepositRefusal {
  code: 'InsufficientDeposit' | 'ChainUnavailable' | 'OutstandingDebt';
  message: string;
}

/**
 * The consumer's deposit ledger (a chain is configured): the budget a new session reserves.
 * Called under the consumer's lock, so two authorizations never reserve the same funds.
 */
export interface DepositCheck {
  reserve(key: ConsumerKey, requested: bigint | undefined): Promise<{ budget: bigint } | DepositRefusal>;
}

export interface ChargingBridgeOptions {
  service: ChargePointService;
  commands: StationLinks;
  localList: LocalListSync;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  authorizationTtlSec: number;
  /** The longest a consumer may reserve a connector for (default 60). */
  maxReservationMinutes?: number;
  /** Reservations without a chain: nothing stands behind them, so any key could hold every connector (off by default). */
  reservationsWithoutDeposit?: boolean;
  /** Authorized sessions per station that have not started yet (each holds a local list entry). */
  maxPendingAuthorizations?: number;
  /** Reserves each new session's budget from the consumer's deposit (a chain is configured). */
  deposit?: DepositCheck;
  /**
   * Serialises everything that spends a consumer's deposit (authorizations here, settlement
   * elsewhere): shared with the settlement, so nothing is promised twice.
   */
  consumerLocks?: KeyedQueue;
  /** What the energy and time so far cost (smallest unit): a session is stopped at its budget. */
  priceOf?: (energyWh: number, durationS: number) => bigint;
  /** How an amount is written in refusals and receipts ("1.5 PEAQ"). */
  formatAmount?: (amount: bigint) => string;
  log: Logger;
  now?: () => Date;
}

export interface ConsumerRequest {
  station: string;
  consumerKey: string;
}

export interface AuthorizeRequest extends ConsumerRequest {
  /** What the session may spend at most (smallest unit); absent: the gateway's minimum deposit. */
  budget?: bigint;
}

export interface ConnectorRequest extends ConsumerRequest {
  connectorId: number;
  /** The consumer request served (a start or a stop): its replay key is written with the first change. */
  claim?: RequestClaim | undefined;
}

export interface ReserveRequest extends AuthorizeRequest {
  connectorId: number;
  /** How long to hold the connector (default 15). */
  minutes?: number;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  promise: Promise<T>;
}

function waiter<T>(): Waiter<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { resolve, promise };
}

/**
 * The consumer side of charging (shared/DESIGN.md flows 2-4): a consumer's public key
 * becomes an idTag on the station's local list, a remote start/stop, and a receipt. The
 * libp2p layer and the admin API call it; the stations' own messages (through the
 * ChargePointService events) move the sessions on.
 */
export class ChargingBridge {
  private readonly opts: ChargingBridgeOptions;
  private readonly starts = new Map<string, Waiter<{ session: ConsumerSession; transaction: TransactionInfo }>>();
  private readonly stops = new Map<string, Waiter<ConsumerSession>>();
  private readonly closing = new AbortController();
  private readonly consumerLocks: KeyedQueue;
  // Sessions whose budget stop is under way, so progress reports do not ask twice.
  private readonly budgetStops = new Set<string>();
  // CancelReservations on their way to a station ("identity\0id"), so none is sent twice at once.
  private readonly cancelling = new Set<string>();

  constructor(opts: ChargingBridgeOptions) {
    this.opts = opts;
    this.consumerLocks = opts.consumerLocks ?? new KeyedQueue();
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Wire to ChargePointService `onEvent`: station messages complete waiting starts and stops. */
  onSessionEvent(event: SessionEvent): void {
    if (event.type === 'serviceDelivered') return;
    if (event.type === 'progress') {
      this.checkBudget(event.identity, event.session, event.transaction);
      return;
    }
    if (event.type === 'sessionStarted') {
      // A copy as committed: the station's later messages change the state in place.
      this.starts.get(event.session.id)?.resolve(structuredClone({ session: event.session, transaction: event.transaction }));
      // Started on another connector than it reserved: the station still holds that one.
      this.sendCancellations(event.identity);
      return;
    }
    this.stops.get(event.session.id)?.resolve(event.session);
    this.opts.log.info('consumer session ended', {
      station: event.identity, session: event.session.id, stoppedBy: event.session.stoppedBy, total: event.session.receipt?.totalAmount,
    });
    if (!event.session.contract) this.removeFromStation(event.identity, event.session.idTag);
  }

  /**
   * Flow 2: puts the consumer's idTag on the station's local list. Idempotent per consumer.
   * With a chain, the session's budget is reserved from the consumer's deposit first; the
   * whole check-and-create runs under the consumer's lock, so concurrent requests (on one
   * station or several) never create two sessions or reserve the same funds twice.
   */
  async authorize(req: AuthorizeRequest): Promise<ConsumerSession> {
    const key = this.key(req.consumerKey);
    const maxPending = this.opts.maxPendingAuthorizations;
    const session = await this.consumerLocks.run(key.hex, async () => {
      // Refused early, before a budget is reserved; the same checks run again under the lock.
      const existing = existingAuthorization(await this.onlineStation(req.station), key, maxPending);
      if (existing) return { session: existing, created: false };
      const budget = await this.reserveBudget(key, req.budget);
      const authorization = { key, id: randomUUID(), ...this.validity(), ...(budget === undefined ? {} : { budget }), ...(maxPending === undefined ? {} : { maxPending }) };
      return this.opts.service.update(req.station, ({ state }) => structuredClone(authorizeConsumer(state, authorization)));
    });
    if (!session.created) return session.session;
    await this.putOnList(req.station, session.session);
    this.opts.log.info('consumer authorized', { station: req.station, session: session.session.id, idTag: session.session.idTag, budget: session.session.budget });
    return session.session;
  }

  /**
   * A consumer's reservation: an authorization (budget reserved like any) that holds one
   * connector until it expires, kept before the station is asked and failed (budget freed)
   * when the station does not accept. Idempotent per consumer and connector.
   */
  async reserve(req: ReserveRequest): Promise<ConsumerSession> {
    const key = this.key(req.consumerKey);
    if (!this.opts.deposit && !this.opts.reservationsWithoutDeposit) {
      throw new BridgeError('NotOffered', 'this gateway takes reservations only with a deposit behind them (it has no chain); its operator may allow them with sessions.reservationsWithoutDeposit');
    }
    const most = this.opts.maxReservationMinutes ?? 60;
    const minutes = req.minutes || Math.min(15, most);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > most) throw new BridgeError('InvalidRequest', `a reservation lasts 1 to ${most} minutes, not ${minutes}`);
    if (!Number.isInteger(req.connectorId) || req.connectorId < 1) throw new BridgeError('InvalidRequest', 'a reservation names a connector (1 or more)');
    // The whole exchange under the consumer's lock: a cancel (or the same request again) waits
    // for the station's answer, so it never misses a reservation the station is about to accept.
    return this.consumerLocks.run(key.hex, async () => {
      const { session, created } = await this.recordReservation(req, key, minutes);
      return created ? this.askStationToReserve(req.station, session) : session;
    });
  }

  /** The session and its reservation, kept before the station is asked; a retried request gets the one it made. */
  private async recordReservation(req: ReserveRequest, key: ConsumerKey, minutes: number): Promise<{ session: ConsumerSession; created: boolean }> {
    const maxPending = this.opts.maxPendingAuthorizations;
    const now = this.now();
    const reservation = {
      key, id: randomUUID(), now, expiresAt: new Date(now.getTime() + minutes * 60_000), connectorId: req.connectorId,
      // Random, so an id is not reused while the station may still hold an old reservation.
      reservationId: randomInt(1, 2 ** 31 - 1), ...(maxPending === undefined ? {} : { maxPending }),
    };
    // Refused early, before a budget is reserved; the same checks run again under the station lock.
    const early = existingReservation(await this.onlineStation(req.station), reservation);
    if (early) return { session: structuredClone(early), created: false };
    const budget = await this.reserveBudget(key, req.budget);
    return this.opts.service.update(req.station, ({ state: s }) => structuredClone(reserveForConsumer(s, { ...reservation, ...(budget === undefined ? {} : { budget }) })));
  }

  /** The idTag onto the list, then ReserveNow; a refusal fails the session (its budget freed). */
  private async askStationToReserve(station: string, made: ConsumerSession): Promise<ConsumerSession> {
    await this.putOnList(station, made);
    let status: string;
    try {
      status = await this.opts.commands.for(station).reserveNow({ reservationId: made.reservationId, connectorId: made.connectorId, idTag: made.idTag, expiryDate: made.expiresAt, consumer: true });
    } catch (err) {
      // The station may have taken it before the answer was lost: the cancellation is owed.
      await this.fail(station, made.id, err instanceof Error ? err.message : String(err), true);
      throw stationFailure(err, 'ReserveNow');
    }
    if (status !== 'Accepted') {
      await this.fail(station, made.id, `the station answered ReserveNow with ${status}`, true, false);
      throw new BridgeError(status === 'Occupied' ? 'ConnectorBusy' : 'Refused', `${station} answered ReserveNow with ${status}`);
    }
    // Meanwhile the operator, the station or the expiry may have ended it here.
    const kept = await this.opts.service.update(station, ({ state }) => {
      const session = state.sessions[made.id];
      if (session?.reservationId === made.reservationId && state.reservations[made.reservationId]) return structuredClone(session);
      owedCancellation(state, made.reservationId);
      return undefined;
    });
    if (!kept) {
      this.sendCancellations(station);
      throw new BridgeError('Conflict', `the reservation on ${station} ended while the station was asked`);
    }
    this.opts.log.info('consumer reserved a connector', { station, session: made.id, connector: made.connectorId, until: made.expiresAt, budget: made.budget });
    return kept;
  }

  /** The new session's idTag goes onto the station's list; a refusal fails the session. */
  private async putOnList(station: string, session: ConsumerSession): Promise<void> {
    try {
      const status = await this.opts.localList.apply(station, [{ idTag: session.idTag, status: 'Accepted', expiryDate: session.expiresAt }]);
      if (status === 'NotSupported') {
        this.opts.log.info('station has no local list; its Authorize requests are answered from ours', { station });
      } else if (status !== 'Accepted') {
        throw new BridgeError('Refused', `${station} refused the local list update (${status})`);
      }
    } catch (err) {
      await this.fail(station, session.id, err instanceof Error ? err.message : String(err));
      throw stationFailure(err, 'SendLocalList');
    }
  }

  /** A new authorization's time and expiry. */
  private validity(): { now: Date; expiresAt: Date } {
    const now = this.now();
    return { now, expiresAt: new Date(now.getTime() + this.opts.authorizationTtlSec * 1000) };
  }

  /** The budget a new session reserves (undefined without a chain), or the refusal with the figures. */
  private async reserveBudget(key: ConsumerKey, requested: bigint | undefined): Promise<bigint | undefined> {
    if (!this.opts.deposit) return undefined;
    if (requested !== undefined && requested <= 0n) throw new BridgeError('InvalidRequest', 'the budget must be more than zero');
    const outcome = await this.opts.deposit.reserve(key, requested);
    if ('code' in outcome) throw new BridgeError(outcome.code, outcome.message);
    return outcome.budget;
  }

  /**
   * Plug & Charge (flow 5): the station presented a contract (eMAID) its consumer
   * registered. The session's idTag is the eMAID as the station wrote it (the station starts
   * the transaction with it); no local list update is needed, since the station just asked.
   */
  async authorizeContract(req: ConsumerRequest & { emaid: string; idTag: string }): Promise<ConsumerSession> {
    const key = this.key(req.consumerKey);
    const session = await this.consumerLocks.run(key.hex, async () => {
      const existing = existingContractSession(await this.onlineStation(req.station), key, req.emaid);
      if (existing) return existing;
      const budget = await this.reserveBudget(key, undefined);
      const authorization = { key, id: randomUUID(), emaid: req.emaid, idTag: req.idTag, ...this.validity(), ...(budget === undefined ? {} : { budget }) };
      // Checked again under the station lock: a station that repeats its Authorize while the
      // first is still being checked must not get two sessions.
      return this.opts.service.update(req.station, ({ state }) => structuredClone(authorizeContract(state, authorization)));
    });
    this.opts.log.info('consumer authorized by contract', { station: req.station, session: session.id, emaid: req.emaid });
    return session;
  }

  /** Flow 3: remote start on a connector; resolves when the station has started the transaction. */
  async start(req: ConnectorRequest): Promise<{ session: ConsumerSession; transaction: TransactionInfo }> {
    const key = this.key(req.consumerKey);
    const state = await this.onlineStation(req.station);
    const own = sessionOfConsumer(state, key.hex);
    refuseStart(state, own, req.connectorId, this.now());

    const started = waiter<{ session: ConsumerSession; transaction: TransactionInfo }>();
    this.starts.set(own.id, started);
    try {
      const remoteStartId = await this.opts.service.update(req.station, ({ state: s }) => beginRemoteStart(s, own.id, req.connectorId, this.now()), req.claim);
      let answer: { accepted: boolean; reason?: string };
      try {
        // Inside the try: a station that went away since the check fails the session at once.
        answer = await this.opts.commands.for(req.station).remoteStart({ connectorId: req.connectorId, idTag: own.idTag, remoteStartId });
      } catch (err) {
        await this.fail(req.station, own.id, err instanceof Error ? err.message : String(err));
        throw stationFailure(err, 'the remote start');
      }
      if (!answer.accepted) {
        await this.fail(req.station, own.id, answer.reason ?? 'remote start rejected');
        throw new BridgeError('Refused', answer.reason ?? 'the station rejected the remote start');
      }
      // Accepted is not started: the session starts with the station's own start message.
      const startedInTime = await this.within(started.promise, this.opts.startTimeoutMs);
      if (startedInTime) return startedInTime;
      const reason = `${req.station} did not start a transaction within ${this.opts.startTimeoutMs / 1000} s`;
      if (await this.fail(req.station, own.id, reason)) throw new BridgeError('Timeout', reason);
      // Not failed: the transaction started at the deadline. Read back under the station lock.
      const after = await this.opts.service.state(req.station);
      const session = after?.sessions[own.id];
      const transaction = session ? after?.transactions[session.transactionId] : undefined;
      if (!session || !transaction) throw new BridgeError('Conflict', 'the session ended while starting');
      return { session, transaction };
    } finally {
      this.starts.delete(own.id);
    }
  }

  /** Flow 4: remote stop of the consumer's own session; resolves with the receipt. */
  async stop(req: ConnectorRequest): Promise<Receipt> {
    const key = this.key(req.consumerKey);
    const state = await this.onlineStation(req.station);
    const session = sessionOnConnector(state, req.connectorId);
    if (!session) throw new BridgeError('NoSession', `no consumer session on connector ${req.connectorId} of ${req.station}`);
    if (session.consumerKeyHex !== key.hex) throw new BridgeError('NotYourSession', 'only the consumer who started a session can stop it');
    if (session.state !== 'charging') throw new BridgeError('Conflict', `the session is ${session.state}, not charging`);

    const stopped = waiter<ConsumerSession>();
    this.stops.set(session.id, stopped);
    try {
      const stopping = await this.opts.service.update(req.station, ({ state: s }) => markStopping(s, session.id, this.now(), 'consumer') !== undefined, req.claim);
      if (!stopping) throw new BridgeError('Conflict', 'the session changed meanwhile');
      let answer: { accepted: boolean; reason?: string };
      try {
        answer = await this.opts.commands.for(req.station).remoteStop({ transactionId: session.transactionId, ocppTransactionId: session.ocppTransactionId });
      } catch (err) {
        await this.backToCharging(req.station, session.id, err instanceof Error ? err.message : String(err));
        throw stationFailure(err, 'the remote stop');
      }
      if (!answer.accepted) {
        await this.backToCharging(req.station, session.id, answer.reason ?? 'remote stop rejected');
        throw new BridgeError('Refused', answer.reason ?? 'the station rejected the remote stop');
      }
      const ended = await this.within(stopped.promise, this.opts.stopTimeoutMs);
      if (!ended) {
        const reason = `${req.station} did not end the transaction within ${this.opts.stopTimeoutMs / 1000} s`;
        await this.backToCharging(req.station, session.id, reason);
        throw new BridgeError('Timeout', reason);
      }
      return ended.receipt!;
    } finally {
      this.stops.delete(session.id);
    }
  }

  /**
   * Gives up the consumer's authorization that has not started charging: the session fails
   * ("cancelled by the consumer") and its idTag leaves the list. Undefined when there is none.
   * A session already starting or charging is not cancelled (stop it instead).
   */
  async cancel(req: ConsumerRequest): Promise<ConsumerSession | undefined> {
    const key = this.key(req.consumerKey);
    // After any reservation of the consumer's still waiting for the station's answer.
    return this.consumerLocks.run(key.hex, async () => {
      const state = await this.opts.service.state(req.station);
      if (!state) throw new BridgeError('UnknownStation', `unknown station ${req.station}`);
      const session = sessionOfConsumer(state, key.hex);
      if (!session) return undefined;
      if (session.state !== 'authorized') throw new BridgeError('Conflict', `the session is ${session.state}; stop it instead`);
      // Checked again under the station lock: a start that got there first wins.
      return this.fail(req.station, session.id, 'cancelled by the consumer', true);
    });
  }

  /** The consumer's active session on a station with its live progress, or its latest finished one. */
  async status(req: ConsumerRequest): Promise<{ session: ConsumerSession; transaction?: TransactionInfo } | undefined> {
    const key = this.key(req.consumerKey);
    const state = await this.opts.service.state(req.station);
    if (!state) throw new BridgeError('UnknownStation', `unknown station ${req.station}`);
    const active = sessionOfConsumer(state, key.hex);
    if (active) {
      const transaction = active.transactionId ? state.transactions[active.transactionId] : undefined;
      return { session: active, ...(transaction ? { transaction } : {}) };
    }
    const latest = (await this.opts.service.finishedSessions(key.hex)).filter((s) => s.station === req.station).at(-1);
    return latest && { session: latest, ...(latest.receipt?.transaction ? { transaction: latest.receipt.transaction } : {}) };
  }

  /** Whether a consumer could start on this connector now, and why not. */
  async checkAvailability(req: { station: string; connectorId: number }): Promise<{ available: boolean; reason?: string }> {
    const state = await this.opts.service.state(req.station);
    if (!state) return { available: false, reason: `unknown station ${req.station}` };
    if (!this.opts.commands.isConnected(req.station)) return { available: false, reason: `station ${req.station} is offline` };
    const refusal = connectorRefusal(state, req.connectorId, this.now());
    return refusal ? { available: false, reason: refusal.message } : { available: true };
  }

  /** After a station (re)connects and is accepted: make its local list ours again. */
  async onStationReady(identity: string): Promise<void> {
    this.sendCancellations(identity);
    try {
      const result = await this.opts.localList.reconcile(identity);
      this.opts.log.info('local list reconciled', { station: identity, result });
    } catch (err) {
      this.opts.log.warn('local list reconciliation failed; will retry on the next connection', { station: identity, err });
    }
  }

  /**
   * Tidies sessions whose wait was lost (a restart while starting or stopping) or whose
   * authorization expired unused: a lost start fails, a lost stop goes back to charging so
   * that the consumer can stop again (the transaction runs on until the station ends it).
   * Returns how many sessions it changed. Run periodically.
   */
  async sweep(identities: Iterable<string>): Promise<number> {
    let changed = 0;
    const now = this.now().getTime();
    for (const identity of identities) {
      const state = await this.opts.service.state(identity);
      for (const session of Object.values(state?.sessions ?? {})) {
        const since = Date.parse(session.updatedAt);
        const expired = session.state === 'authorized' && Date.parse(session.expiresAt) <= now;
        const lostStart = session.state === 'starting' && !this.starts.has(session.id) && since + this.opts.startTimeoutMs <= now;
        const lostStop = session.state === 'stopping' && !this.stops.has(session.id) && since + this.opts.stopTimeoutMs <= now;
        if (expired || lostStart) {
          if (await this.fail(identity, session.id, expired ? 'the authorization expired unused' : 'the station never started the transaction')) changed++;
        } else if (lostStop && await this.backToCharging(identity, session.id, 'the stop was lost (a restart); stop again')) {
          changed++;
        }
      }
    }
    return changed;
  }

  /**
   * A charging session whose cost so far reached its budget is stopped by the gateway (the
   * deposit covers no more); its receipt gives the reason.
   */
  private checkBudget(identity: string, session: ConsumerSession, tx: TransactionInfo): void {
    if (!session.budget || !this.opts.priceOf || session.state !== 'charging' || this.budgetStops.has(session.id)) return;
    const cost = this.opts.priceOf(energySoFarWh(tx), durationSoFarS(tx));
    const budget = BigInt(session.budget);
    if (cost < budget) return;
    this.budgetStops.add(session.id);
    const reason = `its budget of ${this.format(budget)} was reached`;
    this.stopByGateway(identity, session.id, reason)
      .catch((err: unknown) => this.opts.log.warn('could not stop a session at its budget; will try again on its next meter values', { station: identity, session: session.id, err }))
      .finally(() => this.budgetStops.delete(session.id));
  }

  private format(amount: bigint): string {
    return this.opts.formatAmount?.(amount) ?? amount.toString();
  }

  /** The gateway's own remote stop (budget used up): the station's stop ends the session as usual. */
  private async stopByGateway(identity: string, sessionId: string, reason: string): Promise<void> {
    const session = await this.opts.service.update(identity, ({ state: s }) => {
      const stopping = markStopping(s, sessionId, this.now(), 'gateway', reason);
      return stopping && structuredClone(stopping);
    });
    if (!session) return;
    this.opts.log.info('stopping a session: budget reached', { station: identity, session: sessionId, budget: session.budget });
    if (!this.opts.commands.isConnected(identity)) {
      await this.backToCharging(identity, sessionId, 'the station is offline; the budget stop is tried again');
      return;
    }
    let answer: { accepted: boolean; reason?: string };
    try {
      answer = await this.opts.commands.for(identity).remoteStop({ transactionId: session.transactionId, ocppTransactionId: session.ocppTransactionId });
    } catch (err) {
      await this.backToCharging(identity, sessionId, err instanceof Error ? err.message : String(err));
      throw err;
    }
    if (!answer.accepted) await this.backToCharging(identity, sessionId, answer.reason ?? 'remote stop rejected');
  }

  private key(text: string): ConsumerKey {
    try {
      return parseConsumerKey(text);
    } catch (err) {
      throw new BridgeError('InvalidRequest', (err as Error).message);
    }
  }

  private onlineStation(identity: string): Promise<ChargePointState> {
    return onlineStation(this.opts.service, this.opts.commands, identity);
  }

  /** Fails a session that never charged; undefined when it started meanwhile (see failUnstarted). */
  private async fail(identity: string, sessionId: string, reason: string, onlyIfAuthorized = false, stationHoldsReservation = true): Promise<ConsumerSession | undefined> {
    const failed = await this.opts.service.update(identity, ({ state, finishedSessions }) => {
      const session = failUnstarted(state, sessionId, this.now(), reason, onlyIfAuthorized);
      if (session) finishedSessions.push(session);
      // A ReserveNow the station refused: it holds nothing to cancel.
      if (session?.reservationId && !stationHoldsReservation) cancellationAnswered(state, session.reservationId);
      return session;
    });
    if (failed) {
      this.opts.log.info('consumer session failed', { station: identity, session: sessionId, reason });
      if (!failed.contract) this.removeFromStation(identity, failed.idTag);
      this.sendCancellations(identity);
    }
    return failed && structuredClone(failed);
  }

  /** A stop that did not happen: the session is charging again; true when it was stopping. */
  private async backToCharging(identity: string, sessionId: string, reason: string): Promise<boolean> {
    return this.opts.service.update(identity, ({ state }) => revertStop(state, sessionId, this.now(), reason));
  }

  /** Drops an idTag from the station's list in the background; a failure leaves the list dirty for the next reconcile. */
  private removeFromStation(identity: string, idTag: string): void {
    if (!this.opts.commands.isConnected(identity)) return;
    this.opts.localList.apply(identity, [{ idTag }]).catch((err: unknown) => {
      this.opts.log.warn('could not remove an idTag from the station list; it will be resynced', { station: identity, idTag, err });
    });
  }

  /**
   * Sends the CancelReservation the station is owed (its reservations that ended here), in the
   * background; each leaves the list once the station answers, so an offline station gets them
   * when it is back (onStationReady).
   */
  private sendCancellations(identity: string): void {
    if (!this.opts.commands.isConnected(identity)) return;
    void this.opts.service.state(identity).then(async (state) => {
      for (const id of [...(state?.reservationsToCancel ?? [])]) {
        const key = `${identity}\u0000${id}`;
        if (this.cancelling.has(key)) continue;
        this.cancelling.add(key);
        try {
          const status = await this.opts.commands.for(identity).cancelReservation(id);
          await this.opts.service.update(identity, ({ state: s }) => { cancellationAnswered(s, id); });
          this.opts.log.info('reservation cancelled on the station', { station: identity, reservationId: id, status });
        } finally {
          this.cancelling.delete(key);
        }
      }
    }).catch((err: unknown) => {
      this.opts.log.warn('could not cancel a reservation on the station; it is tried again when the station reconnects', { station: identity, err });
    });
  }

  /**
   * The station's answer, or undefined after `ms`. When the node stops meanwhile, the wait
   * ends with ShuttingDown and the session stays as it is: the next start's sweep finds it.
   */
  private within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const end = (): void => {
        clearTimeout(timer);
        this.closing.signal.removeEventListener('abort', onClose);
      };
      const onClose = (): void => {
        end();
        reject(new BridgeError('ShuttingDown', 'the gateway is stopping; ask again once it is back'));
      };
      const timer = setTimeout(() => { end(); resolve(undefined); }, ms);
      if (this.closing.signal.aborted) return onClose();
      this.closing.signal.addEventListener('abort', onClose);
      void promise.then((value) => { end(); resolve(value); });
    });
  }

  /** Ends every wait for a station's start or stop (the node is stopping). */
  close(): void {
    this.closing.abort();
  }
}
