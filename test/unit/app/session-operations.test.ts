// The consumer-session use cases as atomic operations on one station's state (no I/O): what
// each changes, and what it refuses without changing anything.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  authorizeConsumer, authorizeContract, beginRemoteStart, existingAuthorization, failUnstarted, markStopping, reserveForConsumer, revertStop, type NewReservation,
} from '../../../src/app/session-operations.ts';
import { openTransaction } from '../../../src/domain/transactions.ts';
import { removeReservation } from '../../../src/domain/reservations.ts';
import { connectorRefusal, linkStartedTransaction } from '../../../src/domain/sessions.ts';
import { parseConsumerKey } from '../../../src/crypto/consumer-key.ts';
import { applyStatus, emptyState } from '../../../src/domain/charge-point.ts';
import type { ChargePointState } from '../../../src/domain/model.ts';

const NOW = new Date('2026-11-29T10:00:00Z');
const key = () => parseConsumerKey(randomBytes(32).toString('hex'));
const station = (): ChargePointState => {
  const state = emptyState('OPS-CP');
  for (const connectorId of [1, 2]) applyStatus(state, { connectorId, status: 'Available', stationTime: NOW.toISOString(), receivedAt: NOW.toISOString() });
  return state;
};
const authorization = (k = key(), extra: object = {}) => ({ key: k, id: String(Math.random()), now: NOW, expiresAt: new Date(NOW.getTime() + 60_000), ...extra });
const refusedWith = (fn: () => unknown, code: string, pattern?: RegExp) => assert.throws(fn, (err: any) => {
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return true;
});

describe('consumer-session operations', () => {
  it('authorizes a key once: one session and one list entry, the same session when asked again', () => {
    const state = station();
    const k = key();
    const first = authorizeConsumer(state, authorization(k, { budget: 5n }));
    assert.equal(first.created, true);
    assert.equal(first.session.budget, '5');
    assert.equal(state.authList[first.session.idTag]?.authData?.idTagInfo?.status, 'Accepted');
    assert.equal(state.localListDirty, true, 'the station does not hold it yet');
    const again = authorizeConsumer(state, authorization(k));
    assert.deepEqual([again.created, again.session.id], [false, first.session.id]);
    assert.equal(Object.keys(state.sessions).length, 1);
  });

  it('refuses more pending authorizations than the station takes, and changes nothing', () => {
    const state = station();
    authorizeConsumer(state, authorization(key(), { maxPending: 2 }));
    authorizeConsumer(state, authorization(key(), { maxPending: 2 }));
    const before = structuredClone(state);
    refusedWith(() => authorizeConsumer(state, authorization(key(), { maxPending: 2 })), 'TooManyAuthorizations', /OPS-CP has 2 authorizations waiting/);
    assert.deepEqual(state, before);
    assert.equal(existingAuthorization(state, key(), undefined), undefined, 'without a cap a new key may still ask');
  });

  it('a contract\'s consumer has one session: the same contract again is that session, any other active one a conflict', () => {
    const state = station();
    const k = key();
    const session = authorizeContract(state, { ...authorization(k), emaid: 'DE-ABC-C12345678-9', idTag: 'DEABCC123456789' });
    assert.equal(session.contract, 'DE-ABC-C12345678-9');
    assert.equal(state.authList[session.idTag], undefined, 'no list entry: the station just asked');
    assert.equal(authorizeContract(state, { ...authorization(k), emaid: 'DE-ABC-C12345678-9', idTag: 'DEABCC123456789' }).id, session.id);
    refusedWith(() => authorizeContract(state, { ...authorization(k), emaid: 'DE-XYZ-C00000000-1', idTag: 'DEXYZC000000001' }), 'Conflict');
  });

  it('begins a remote start only for an authorized session on a free connector, with a new remoteStartId each time', () => {
    const state = station();
    const a = authorizeConsumer(state, authorization()).session;
    const b = authorizeConsumer(state, authorization()).session;
    assert.equal(beginRemoteStart(state, a.id, 1, NOW), 1);
    assert.deepEqual([state.sessions[a.id]!.state, state.sessions[a.id]!.connectorId], ['starting', 1]);
    refusedWith(() => beginRemoteStart(state, a.id, 2, NOW), 'Conflict', /already starting/);
    refusedWith(() => beginRemoteStart(state, b.id, 1, NOW), 'ConnectorBusy', /taken by another session/);
    refusedWith(() => beginRemoteStart(state, b.id, 7, NOW), 'UnknownConnector');
    assert.equal(beginRemoteStart(state, b.id, 2, NOW), 2);
  });

  it('a cancel gives way to a start that got there first; a failure of an unstarted session drops its list entry', () => {
    const state = station();
    const a = authorizeConsumer(state, authorization()).session;
    beginRemoteStart(state, a.id, 1, NOW);
    refusedWith(() => failUnstarted(state, a.id, NOW, 'cancelled by the consumer', true), 'Conflict', /starting; stop it instead/);
    const failed = failUnstarted(state, a.id, NOW, 'the station never started the transaction');
    assert.equal(failed?.state, 'failed');
    assert.equal(state.sessions[a.id], undefined);
    assert.equal(state.authList[a.idTag], undefined);
  });

  it('marks only a charging session stopping, and a stop that did not happen charges on', () => {
    const state = station();
    const a = authorizeConsumer(state, authorization()).session;
    assert.equal(markStopping(state, a.id, NOW, 'consumer'), undefined, 'not charging yet');
    state.sessions[a.id]!.state = 'charging';
    const stopping = markStopping(state, a.id, NOW, 'gateway', 'its budget was reached');
    assert.deepEqual([stopping?.state, stopping?.stoppedBy, stopping?.stopReason], ['stopping', 'gateway', 'its budget was reached']);
    assert.equal(revertStop(state, a.id, NOW, 'the station rejected the remote stop'), true);
    assert.deepEqual([state.sessions[a.id]!.state, state.sessions[a.id]!.stoppedBy], ['charging', '']);
    assert.equal(revertStop(state, a.id, NOW, 'again'), false);
  });

  describe('a consumer\'s reservation', () => {
    const reservation = (k = key(), extra: Partial<NewReservation> = {}): NewReservation => ({
      ...authorization(k), connectorId: 1, reservationId: 77, expiresAt: new Date(NOW.getTime() + 15 * 60_000), ...extra,
    });

    it('holds the connector for its session only: others are refused, its own start passes the station\'s Reserved status', () => {
      const state = station();
      const k = key();
      const made = reserveForConsumer(state, reservation(k, { budget: 9n }));
      assert.deepEqual([made.created, made.session.state, made.session.connectorId, made.session.reservationId, made.session.budget], [true, 'authorized', 1, 77, '9']);
      assert.deepEqual({ ...state.reservations[77], createdAt: undefined }, { id: 77, connectorId: 1, idTag: made.session.idTag, expiryDate: made.session.expiresAt, createdAt: undefined, sessionId: made.session.id });
      assert.ok(state.authList[made.session.idTag], 'its idTag is on the list, so the station accepts it offline');
      applyStatus(state, { connectorId: 1, status: 'Reserved', stationTime: NOW.toISOString(), receivedAt: NOW.toISOString() });

      const other = authorizeConsumer(state, authorization()).session;
      refusedWith(() => beginRemoteStart(state, other.id, 1, NOW), 'ConnectorReserved', /connector 1 of OPS-CP is reserved until/);
      refusedWith(() => reserveForConsumer(state, reservation(key(), { reservationId: 78 })), 'ConnectorReserved');
      assert.equal(connectorRefusal(state, 2, NOW, other), undefined, 'the other connector is free');
      assert.equal(reserveForConsumer(state, reservation(k, { reservationId: 79 })).session.id, made.session.id, 'asked again: the same reservation');
      refusedWith(() => reserveForConsumer(state, reservation(k, { connectorId: 2 })), 'Conflict', /already have a authorized session/);

      refusedWith(() => beginRemoteStart(state, made.session.id, 2, NOW), 'Conflict', /your reservation on OPS-CP is for connector 1/);
      beginRemoteStart(state, made.session.id, 1, NOW);
      const tx = openTransaction(state, { connectorId: 1, idTag: made.session.idTag, meterStartWh: 0, stationTime: NOW.toISOString() }, 'Accepted', NOW.toISOString(), 1);
      linkStartedTransaction(state, tx, NOW);
      assert.deepEqual(state.reservations, {}, 'used, even though the station did not name it in its start');
    });

    it('goes with its session when that fails (expired unused, cancelled), and an expired one holds nothing', () => {
      const state = station();
      const made = reserveForConsumer(state, reservation());
      const later = new Date(NOW.getTime() + 16 * 60_000);
      failUnstarted(state, made.session.id, later, 'the authorization expired unused');
      assert.deepEqual(state.reservations, {});
      assert.equal(state.authList[made.session.idTag], undefined);
      state.reservations[5] = { id: 5, connectorId: 1, idTag: 'CARD', expiryDate: NOW.toISOString(), createdAt: NOW.toISOString(), sessionId: '' };
      assert.equal(connectorRefusal(state, 1, later, authorizeConsumer(state, authorization()).session), undefined, 'an operator\'s reservation past its expiry');
    });

    it('leaves the consumer a plain authorization when the operator or the station ends it first', () => {
      const state = station();
      const made = reserveForConsumer(state, reservation());
      removeReservation(state, 77);
      assert.deepEqual([made.session.state, made.session.connectorId, made.session.reservationId], ['authorized', 0, 0]);
      assert.equal(connectorRefusal(state, 1, NOW, authorizeConsumer(state, authorization()).session), undefined, 'the connector is free for others');
    });

    it('is refused on a busy connector and changes nothing', () => {
      const state = station();
      beginRemoteStart(state, authorizeConsumer(state, authorization()).session.id, 1, NOW);
      const before = structuredClone(state);
      refusedWith(() => reserveForConsumer(state, reservation()), 'ConnectorBusy', /taken by another session/);
      assert.deepEqual(state, before);
    });
  });
});
