import type { ChargePointState, Session_ConsumerSession as ConsumerSession, TransactionInfo } from '../proto/types.ts';
import { owedCancellation, removeReservation, reservationsOn } from './reservations.ts';

export type { ConsumerSession };

/** The states proto/session.proto lists for a consumer session. */
export type SessionState = ConsumerSession['state'];

// The consumer session state machine. A station may start a transaction for an authorized
// idTag without a remote start, and stop one without a remote stop (EV unplugged, local
// stop, power loss): hence authorized → charging and charging → stopped.
const NEXT: Record<SessionState, readonly SessionState[]> = {
  authorized: ['starting', 'charging', 'failed'],
  starting: ['charging', 'failed'],
  charging: ['stopping', 'stopped'],
  stopping: ['stopped', 'charging'],
  stopped: ['settled'],
  settled: ['paid'],
  paid: [],
  failed: [],
};

export const ACTIVE_STATES: readonly SessionState[] = ['authorized', 'starting', 'charging', 'stopping'];

export class SessionTransitionError extends Error {
  constructor(from: string, to: string) {
    super(`a session cannot go from ${from} to ${to}`);
    this.name = 'SessionTransitionError';
  }
}

export interface NewSession {
  id: string;
  station: string;
  keyText: string;
  keyHex: string;
  idTag: string;
  now: Date;
  expiresAt: Date;
  /** Plug & Charge: the eMAID the session was authorized with (its idTag too). */
  contract?: string;
  /** Reserved from the consumer's deposit (smallest unit); absent without a chain. */
  budget?: bigint;
  /** A reservation holds this connector for the session until it starts. */
  reservation?: { id: number; connectorId: number };
}

export function newSession(s: NewSession): ConsumerSession {
  const at = s.now.toISOString();
  return {
    id: s.id,
    station: s.station,
    connectorId: s.reservation?.connectorId ?? 0,
    consumerPublicKey: s.keyText,
    consumerKeyHex: s.keyHex,
    idTag: s.idTag,
    state: 'authorized',
    remoteStartId: 0,
    transactionId: 0,
    ocppTransactionId: '',
    createdAt: at,
    updatedAt: at,
    reason: '',
    expiresAt: s.expiresAt.toISOString(),
    stoppedBy: '',
    contract: s.contract ?? '',
    budget: s.budget === undefined ? '' : s.budget.toString(),
    stopReason: '',
    reservationId: s.reservation?.id ?? 0,
  };
}

export function transition(session: ConsumerSession, to: SessionState, now: Date, reason = ''): void {
  if (!NEXT[session.state]?.includes(to)) throw new SessionTransitionError(session.state, to);
  session.state = to;
  session.updatedAt = now.toISOString();
  session.reason = reason;
}

export function isActive(session: ConsumerSession): boolean {
  return ACTIVE_STATES.includes(session.state);
}

/** The active session that owns this idTag on the station (a Plug & Charge contract's, typically). */
export function sessionOfIdTag(state: ChargePointState, idTag: string): ConsumerSession | undefined {
  return Object.values(state.sessions).find((s) => s.idTag === idTag && isActive(s));
}

/** The consumer's active session on this station, if any (at most one). */
export function sessionOfConsumer(state: ChargePointState, keyHex: string): ConsumerSession | undefined {
  return Object.values(state.sessions).find((s) => s.consumerKeyHex === keyHex && isActive(s));
}

export function sessionOnConnector(state: ChargePointState, connectorId: number): ConsumerSession | undefined {
  return Object.values(state.sessions).find((s) => s.connectorId === connectorId && isActive(s));
}

// Connector states in which a new transaction cannot begin, one list for both versions: 1.6
// reports charging phases as statuses; 2.0.1's statuses are Available, Occupied (a plugged-in
// EV too, so there an open transaction is what tells it is in use), Reserved, Unavailable and
// Faulted, the last three of which are here.
const BUSY = ['Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'];

/**
 * Why a transaction cannot start on this connector now; undefined when it can. `own`: the
 * session that would start there, which may use its own reservation of the connector.
 */
export function connectorRefusal(state: ChargePointState, connectorId: number, now: Date, own?: ConsumerSession): { code: 'UnknownConnector' | 'ConnectorBusy' | 'ConnectorReserved'; message: string } | undefined {
  const unknown = (message: string) => ({ code: 'UnknownConnector' as const, message });
  const busy = (message: string) => ({ code: 'ConnectorBusy' as const, message });
  if (!Number.isInteger(connectorId) || connectorId < 1) return unknown(`connector ${connectorId} does not exist`);
  const connector = state.connectors[connectorId];
  if (!connector) return unknown(`connector ${connectorId} is not known on ${state.id} (it never reported a status)`);
  if (connector.currentTransaction) return busy(`connector ${connectorId} is in use by transaction ${connector.currentTransaction}`);
  const held = reservationsOn(state, connectorId, now);
  const other = held.find((r) => r.idTag !== own?.idTag);
  if (other) return { code: 'ConnectorReserved', message: `connector ${connectorId} of ${state.id} is reserved until ${other.expiryDate}` };
  const mine = held.length > 0;
  const session = sessionOnConnector(state, connectorId);
  if (session && session.id !== own?.id) return busy(`connector ${connectorId} is taken by another session`);
  // The station reports its connector Reserved while it holds it for this very session.
  if (BUSY.includes(connector.status) && !(mine && connector.status === 'Reserved')) return busy(`connector ${connectorId} is ${connector.status}`);
  return undefined;
}

/**
 * Ties a transaction the station just started to the consumer session it belongs to: the
 * one whose idTag it carries (a 2.0.1 remoteStartId, when present, must match too).
 */
export function linkStartedTransaction(state: ChargePointState, tx: TransactionInfo, now: Date): ConsumerSession | undefined {
  if (!tx.idTag) return undefined;
  const session = Object.values(state.sessions).find((s) =>
    s.idTag === tx.idTag && (s.state === 'starting' || s.state === 'authorized')
    && (!tx.remoteStartId || !s.remoteStartId || tx.remoteStartId === s.remoteStartId));
  if (!session) return undefined;
  // The driver plugged into another connector than the one the remote start named (or the
  // station chose one): the transaction is still this consumer's, on the connector it runs on.
  if (session.connectorId && session.connectorId !== tx.connectorId && sessionOnConnector(state, tx.connectorId)) return undefined;
  transition(session, 'charging', now);
  // Used, whether or not the station named it in its start; started on another connector, the
  // station still holds it.
  const reserved = state.reservations[session.reservationId];
  if (reserved) {
    removeReservation(state, reserved.id);
    if (reserved.connectorId !== tx.connectorId) owedCancellation(state, reserved.id);
  }
  session.connectorId = tx.connectorId;
  session.transactionId = tx.id;
  session.ocppTransactionId = tx.ocppTransactionId;
  const entry = state.authList[session.idTag];
  if (entry) entry.transactionId = tx.id;
  return session;
}

/**
 * A stop the gateway asks for: the session is stopping, by the consumer or by the gateway
 * itself (its budget is used up), with the reason its receipt will give.
 */
export function requestStop(session: ConsumerSession, now: Date, by: 'consumer' | 'gateway', reason = ''): void {
  transition(session, 'stopping', now);
  session.stoppedBy = by;
  session.stopReason = reason;
}

/** A stop that did not happen: the session charges on, with the reason. */
export function cancelStop(session: ConsumerSession, now: Date, reason: string): void {
  transition(session, 'charging', now, reason);
  session.stoppedBy = '';
  session.stopReason = '';
}

/** Ends the session of a finished transaction: it leaves the station state, stopped. */
export function endSessionOf(state: ChargePointState, tx: TransactionInfo, now: Date): ConsumerSession | undefined {
  const session = Object.values(state.sessions).find((s) => s.transactionId === tx.id && (s.state === 'charging' || s.state === 'stopping'));
  if (!session) return undefined;
  // A stop the station did on its own (EV unplugged, local stop) even while ours was pending.
  if (session.state !== 'stopping' || !session.stoppedBy) {
    session.stoppedBy = 'station';
    session.stopReason = '';
  }
  transition(session, 'stopped', now);
  delete state.sessions[session.id];
  removeAuthEntry(state, session.idTag);
  return session;
}

/** Ends a session that never charged (refused, timed out, expired) and drops its idTag. */
export function failSession(state: ChargePointState, sessionId: string, now: Date, reason: string): ConsumerSession | undefined {
  const session = state.sessions[sessionId];
  if (!session || !(session.state === 'authorized' || session.state === 'starting')) return undefined;
  transition(session, 'failed', now, reason);
  if (session.reservationId && removeReservation(state, session.reservationId)) owedCancellation(state, session.reservationId);
  delete state.sessions[sessionId];
  removeAuthEntry(state, session.idTag);
  return session;
}

export function removeAuthEntry(state: ChargePointState, idTag: string): void {
  if (!state.authList[idTag]) return;
  delete state.authList[idTag];
  listChanged(state);
}

/** Our list changed: the station holds it only once it confirms this change (or a full list). */
export function listChanged(state: ChargePointState): void {
  state.localListPending += 1;
  state.localListDirty = true;
}

/**
 * The station accepted an update: a full list makes it hold exactly ours; a differential one
 * confirms as many changes as it carried.
 */
export function listConfirmed(state: ChargePointState, version: number, full: boolean, entries: number): void {
  state.currentAuthListVersion = version;
  state.localListPending = full ? 0 : Math.max(0, state.localListPending - entries);
  state.localListDirty = state.localListPending > 0;
}

/** Puts the consumer's idTag on the station's authorization list (our copy of it). */
export function addAuthEntry(state: ChargePointState, session: ConsumerSession): void {
  listChanged(state);
  state.authList[session.idTag] = {
    publicKey: session.consumerPublicKey,
    transactionId: 0,
    authData: { idTag: session.idTag, idTagInfo: { expiryDate: session.expiresAt, parentIdTag: '', status: 'Accepted' } },
  };
}
