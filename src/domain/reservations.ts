import type { ChargePointState } from './model.ts';
import type { Reservation } from '../proto/types.ts';

export type { Reservation };

/** The station accepted a reservation: kept until it expires, is cancelled or used. */
export function addReservation(state: ChargePointState, reservation: Reservation): void {
  state.reservations[reservation.id] = reservation;
}

/**
 * A reservation that is gone (cancelled, used, or the station says it expired or was removed).
 * A consumer's session that was waiting on it keeps its authorization but no longer holds the
 * connector.
 */
export function removeReservation(state: ChargePointState, id: number): boolean {
  const reservation = state.reservations[id];
  if (!reservation) return false;
  delete state.reservations[id];
  const session = reservation.sessionId ? state.sessions[reservation.sessionId] : undefined;
  if (session?.state === 'authorized' && session.reservationId === id) {
    session.reservationId = 0;
    session.connectorId = 0;
  }
  return true;
}

/** Reservations whose time is up go; true when any went. */
export function dropExpired(state: ChargePointState, now: Date): boolean {
  let dropped = false;
  for (const r of Object.values(state.reservations)) {
    if (Date.parse(r.expiryDate) <= now.getTime()) dropped = removeReservation(state, r.id) || dropped;
  }
  return dropped;
}

/** The reservations still running, soonest to expire first. */
export function activeReservations(state: ChargePointState, now: Date): Reservation[] {
  return Object.values(state.reservations).filter((r) => Date.parse(r.expiryDate) > now.getTime()).sort((a, b) => Date.parse(a.expiryDate) - Date.parse(b.expiryDate));
}

/** The reservations holding this connector now (an expired one holds nothing). */
export function reservationsOn(state: ChargePointState, connectorId: number, now: Date): Reservation[] {
  return Object.values(state.reservations).filter((r) => r.connectorId === connectorId && Date.parse(r.expiryDate) > now.getTime());
}

/** A reservation the station may still hold although it ended here: CancelReservation is owed. */
export function owedCancellation(state: ChargePointState, id: number): void {
  if (!state.reservationsToCancel.includes(id)) state.reservationsToCancel.push(id);
}

/** The station answered the CancelReservation (either way, it holds the reservation no longer). */
export function cancellationAnswered(state: ChargePointState, id: number): boolean {
  const at = state.reservationsToCancel.indexOf(id);
  if (at < 0) return false;
  state.reservationsToCancel.splice(at, 1);
  return true;
}
