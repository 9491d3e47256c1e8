import { randomInt } from 'node:crypto';
import type { ChargePointService } from '../domain/charge-point-service.ts';
import { activeReservations, addReservation, dropExpired, removeReservation, reservationsOn, type Reservation } from '../domain/reservations.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import { knownStation, onlineStation } from './online-station.ts';
import type { StationLinks } from './station-link.ts';

export interface ReservationsOptions {
  service: ChargePointService;
  commands: StationLinks;
  now: () => Date;
}

/**
 * An operator's reservations: a connector held for one idTag until a time. Kept once the
 * station accepts; gone when it expires, is cancelled, a transaction starts with it, or (2.0.1)
 * the station reports it expired or removed.
 */
export class Reservations {
  private readonly opts: ReservationsOptions;

  constructor(opts: ReservationsOptions) {
    this.opts = opts;
  }

  /** Asks the station; the reservation is kept only when it accepts (the status says why not). */
  async reserve(identity: string, r: { connectorId: number; idTag: string; minutes: number }): Promise<{ status: string; reservation?: Reservation }> {
    const state = await onlineStation(this.opts.service, this.opts.commands, identity);
    if (r.connectorId > 0 && !state.connectors[r.connectorId]) throw new BridgeError('UnknownConnector', `${identity} has no connector ${r.connectorId}`);
    const now = this.opts.now();
    // One reservation per connector: a consumer's is cancelled first, not booked over.
    const held = r.connectorId > 0 ? reservationsOn(state, r.connectorId, now)[0] : undefined;
    if (held) throw new BridgeError('ConnectorReserved', `connector ${r.connectorId} of ${identity} is reserved until ${held.expiryDate}${held.sessionId ? ' by a consumer' : ''}; cancel that reservation first`);
    const reservation: Reservation = {
      // Random, so an id is not reused while the station may still hold an old reservation.
      id: randomInt(1, 2 ** 31 - 1), connectorId: r.connectorId, idTag: r.idTag,
      expiryDate: new Date(now.getTime() + r.minutes * 60_000).toISOString(), createdAt: now.toISOString(), sessionId: '',
    };
    let status: string;
    try {
      status = await this.opts.commands.for(identity).reserveNow({ reservationId: reservation.id, connectorId: r.connectorId, idTag: r.idTag, expiryDate: reservation.expiryDate });
    } catch (err) {
      throw stationFailure(err, 'ReserveNow');
    }
    if (status !== 'Accepted') return { status };
    await this.opts.service.update(identity, ({ state: s }) => {
      dropExpired(s, now);
      addReservation(s, reservation);
    });
    return { status, reservation };
  }

  async cancel(identity: string, reservationId: number): Promise<string> {
    const state = await onlineStation(this.opts.service, this.opts.commands, identity);
    if (!state.reservations[reservationId]) throw new BridgeError('NotFound', `no reservation ${reservationId} on ${identity}`);
    let status: string;
    try {
      status = await this.opts.commands.for(identity).cancelReservation(reservationId);
    } catch (err) {
      throw stationFailure(err, 'CancelReservation');
    }
    // Rejected: the station no longer knows it (used or expired there); either way it is gone.
    await this.opts.service.update(identity, ({ state: s }) => { removeReservation(s, reservationId); });
    return status;
  }

  /** The station's reservations still running, soonest to expire first. */
  async list(identity: string): Promise<Reservation[]> {
    return activeReservations(await knownStation(this.opts.service, identity), this.opts.now());
  }
}
