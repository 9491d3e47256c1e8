import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { activeReservations, addReservation, dropExpired } from '../../../src/domain/reservations.ts';
import { openTransaction } from '../../../src/domain/transactions.ts';

const NOW = new Date('2026-12-06T10:00:00Z');
const reservation = (id: number, minutes: number) => ({ id, connectorId: 1, idTag: 'T', expiryDate: new Date(NOW.getTime() + minutes * 60_000).toISOString(), createdAt: NOW.toISOString(), sessionId: '' });

describe('reservations', () => {
  it('lists those still running, soonest first, and drops the expired ones', () => {
    const state = emptyState('R');
    for (const r of [reservation(1, 30), reservation(2, -1), reservation(3, 10)]) addReservation(state, r);
    assert.deepEqual(activeReservations(state, NOW).map((r) => r.id), [3, 1]);
    assert.equal(dropExpired(state, NOW), true);
    assert.deepEqual(Object.keys(state.reservations).sort(), ['1', '3']);
    assert.equal(dropExpired(state, NOW), false);
  });

  it('is used up by a transaction that starts with it', () => {
    const state = emptyState('R');
    addReservation(state, reservation(7, 30));
    openTransaction(state, { connectorId: 1, idTag: 'T', meterStartWh: 0, stationTime: NOW.toISOString(), reservationId: 7 }, 'Accepted', NOW.toISOString(), 1);
    assert.deepEqual(state.reservations, {});
  });
});
