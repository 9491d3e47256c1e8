import { parseConsumerKey, type ConsumerKey } from '../crypto/consumer-key.ts';
import { idTagForKey } from '../domain/consumer-ids.ts';
import type { ChargePointState } from '../domain/model.ts';
import { addReservation, type Reservation } from '../domain/reservations.ts';
import {
  addAuthEntry, cancelStop, connectorRefusal, failSession, newSession, requestStop, sessionOfConsumer, transition, type ConsumerSession,
} from '../domain/sessions.ts';
import { BridgeError } from './bridge-error.ts';

// The consumer-session use cases as named, atomic operations on one station's state. Each
// runs under the station's lock (ChargePointService.update): it either changes the state and
// returns what its caller needs, or throws a BridgeError and changes nothing. The checks a
// caller makes before the lock (to refuse early, before reserving a budget) are the same
// functions, so the early answer and the atomic one cannot disagree.

export interface NewAuthorization {
  key: ConsumerKey;
  id: string;
  now: Date;
  expiresAt: Date;
  budget?: bigint;
  /** Authorized sessions that have not started yet, at most (each holds a local list entry). */
  maxPending?: number;
}

/**
 * The consumer's active session on the station, or undefined when one may be created; refuses
 * when the consumer's idTag belongs to another key or the station holds its most pending ones.
 */
export function existingAuthorization(state: ChargePointState, key: ConsumerKey, maxPending: number | undefined): ConsumerSession | undefined {
  const existing = sessionOfConsumer(state, key.hex);
  if (existing) return existing;
  const idTag = idTagForKey(key.bytes);
  const holder = state.authList[idTag];
  if (holder && parseConsumerKey(holder.publicKey).hex !== key.hex) {
    throw new BridgeError('Conflict', `idTag ${idTag} already belongs to another consumer on ${state.id}`);
  }
  refuseOverPending(state, maxPending);
  return undefined;
}

/**
 * Each authorization puts an entry on the station's list, and without a chain any fresh key
 * could ask for one: the station holds at most so many that have not started charging.
 */
function refuseOverPending(state: ChargePointState, max: number | undefined): void {
  if (max === undefined) return;
  const pending = Object.values(state.sessions).filter((s) => s.state === 'authorized' && !s.contract).length;
  if (pending >= max) {
    throw new BridgeError('TooManyAuthorizations', `${state.id} has ${pending} authorizations waiting to start, the most it takes; try again when one has started or expired`);
  }
}

/** Authorize: the consumer's one active session, created with its list entry when there is none. */
export function authorizeConsumer(state: ChargePointState, a: NewAuthorization): { session: ConsumerSession; created: boolean } {
  const existing = existingAuthorization(state, a.key, a.maxPending);
  if (existing) return { session: existing, created: false };
  const session = newSession({
    id: a.id, station: state.id, keyText: a.key.text, keyHex: a.key.hex, idTag: idTagForKey(a.key.bytes), now: a.now, expiresAt: a.expiresAt,
    ...(a.budget === undefined ? {} : { budget: a.budget }),
  });
  state.sessions[session.id] = session;
  addAuthEntry(state, session);
  return { session, created: true };
}

/** A reservation a consumer asks for: the connector, and its station reservation id and expiry (the session's too). */
export interface NewReservation extends NewAuthorization {
  connectorId: number;
  reservationId: number;
}

/**
 * The consumer's reservation of this connector made before (a retried request), or undefined
 * when one may be made; refuses another active session of the consumer, a full station, or a
 * connector that cannot be held. Changes nothing.
 */
export function existingReservation(state: ChargePointState, r: NewReservation): ConsumerSession | undefined {
  const existing = sessionOfConsumer(state, r.key.hex);
  if (existing?.reservationId && existing.connectorId === r.connectorId) return existing;
  if (existing) throw new BridgeError('Conflict', `you already have a ${existing.state} session on ${state.id}; cancel it before reserving`);
  existingAuthorization(state, r.key, r.maxPending);
  const refusal = connectorRefusal(state, r.connectorId, r.now);
  if (refusal) throw new BridgeError(refusal.code, refusal.message);
  return undefined;
}

/**
 * Reserve: a new authorization that holds a connector until it expires, kept before the
 * station is asked, so no one else can take the connector meanwhile. The same request again
 * returns the session it made; any other active session of the consumer on the station
 * refuses (one at a time).
 */
export function reserveForConsumer(state: ChargePointState, r: NewReservation): { session: ConsumerSession; created: boolean } {
  const existing = existingReservation(state, r);
  if (existing) return { session: existing, created: false };
  const session = newSession({
    id: r.id, station: state.id, keyText: r.key.text, keyHex: r.key.hex, idTag: idTagForKey(r.key.bytes), now: r.now, expiresAt: r.expiresAt,
    reservation: { id: r.reservationId, connectorId: r.connectorId }, ...(r.budget === undefined ? {} : { budget: r.budget }),
  });
  const reservation: Reservation = {
    id: r.reservationId, connectorId: r.connectorId, idTag: session.idTag, expiryDate: session.expiresAt, createdAt: session.createdAt, sessionId: session.id,
  };
  state.sessions[session.id] = session;
  addAuthEntry(state, session);
  addReservation(state, reservation);
  return { session, created: true };
}

/** The consumer's session for this contract, or undefined when one may be created; refuses any other active session. */
export function existingContractSession(state: ChargePointState, key: ConsumerKey, emaid: string): ConsumerSession | undefined {
  const existing = sessionOfConsumer(state, key.hex);
  if (existing?.contract === emaid) return existing;
  if (existing) throw new BridgeError('Conflict', `the contract's consumer already has a ${existing.state} session on ${state.id}`);
  return undefined;
}

/**
 * Plug & Charge authorize: the session of the contract the station presented. Its idTag is the
 * eMAID as the station wrote it; no list entry (the station just asked about it).
 */
export function authorizeContract(state: ChargePointState, a: NewAuthorization & { emaid: string; idTag: string }): ConsumerSession {
  const existing = existingContractSession(state, a.key, a.emaid);
  if (existing) return existing;
  const session = newSession({
    id: a.id, station: state.id, keyText: a.key.text, keyHex: a.key.hex, idTag: a.idTag, contract: a.emaid, now: a.now, expiresAt: a.expiresAt,
    ...(a.budget === undefined ? {} : { budget: a.budget }),
  });
  state.sessions[session.id] = session;
  return session;
}

/** Why the consumer's session cannot be started on this connector now (a BridgeError), if it cannot. */
export function refuseStart(state: ChargePointState, session: ConsumerSession | undefined, connectorId: number, now: Date): asserts session is ConsumerSession {
  if (!session) throw new BridgeError('NotAuthorized', `authorize on ${state.id} before starting`);
  if (session.state !== 'authorized') throw new BridgeError('Conflict', `your session on ${state.id} is already ${session.state}`);
  // Started elsewhere, the station would go on holding the reserved connector until it expires.
  if (session.reservationId && session.connectorId !== connectorId) {
    throw new BridgeError('Conflict', `your reservation on ${state.id} is for connector ${session.connectorId}: start there, or cancel it first`);
  }
  const refusal = connectorRefusal(state, connectorId, now, session);
  if (refusal) throw new BridgeError(refusal.code, refusal.message);
}

/** Begin a remote start: the session is starting on the connector; returns the remoteStartId to send. */
export function beginRemoteStart(state: ChargePointState, sessionId: string, connectorId: number, now: Date): number {
  const session = state.sessions[sessionId];
  // Checked before by the caller: gone now means it was cancelled or expired meanwhile.
  if (!session) throw new BridgeError('Conflict', 'the session changed meanwhile');
  refuseStart(state, session, connectorId, now);
  transition(session, 'starting', now);
  session.connectorId = connectorId;
  session.remoteStartId = ++state.remoteStartCounter;
  return session.remoteStartId;
}

/** Mark a charging session stopping (by the consumer, or by the gateway at its budget); undefined when it is not charging. */
export function markStopping(state: ChargePointState, sessionId: string, now: Date, by: 'consumer' | 'gateway', reason = ''): ConsumerSession | undefined {
  const session = state.sessions[sessionId];
  if (session?.state !== 'charging') return undefined;
  requestStop(session, now, by, reason);
  return session;
}

/** A stop that did not happen: the session charges on; false when it was not stopping. */
export function revertStop(state: ChargePointState, sessionId: string, now: Date, reason: string): boolean {
  const session = state.sessions[sessionId];
  if (session?.state !== 'stopping') return false;
  cancelStop(session, now, reason);
  return true;
}

/**
 * Fail a session that never charged (refused, timed out, expired, cancelled) and drop its
 * idTag; undefined when it started meanwhile. `onlyIfAuthorized`: a cancel, which refuses a
 * session that is already starting (the start got there first).
 */
export function failUnstarted(state: ChargePointState, sessionId: string, now: Date, reason: string, onlyIfAuthorized = false): ConsumerSession | undefined {
  const current = state.sessions[sessionId];
  if (current && onlyIfAuthorized && current.state !== 'authorized') throw new BridgeError('Conflict', `the session is ${current.state}; stop it instead`);
  return failSession(state, sessionId, now, reason);
}
