import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorize, tagDecision } from '../../../src/domain/authorization.ts';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { changedTag, InvalidTagError } from '../../../src/domain/tags.ts';

const NOW = new Date('2026-12-06T10:00:00Z');

describe('operator cards', () => {
  it('takes a new card as Accepted and keeps what a change does not name', () => {
    const card = changedTag('RFID1', undefined, { note: 'van' }, NOW);
    assert.deepEqual([card.status, card.note, card.expiryDate], ['Accepted', 'van', '']);
    const blocked = changedTag('RFID1', card, { status: 'Blocked' }, NOW);
    assert.deepEqual([blocked.status, blocked.note], ['Blocked', 'van']);
    assert.equal(changedTag('RFID1', blocked, { expiryDate: '2030-01-01' }, NOW).expiryDate, '2030-01-01T00:00:00.000Z');
  });

  it('refuses what a station would not take, naming the field', () => {
    const refused = (fn: () => unknown, field: string) => assert.throws(fn, (err: unknown) => err instanceof InvalidTagError && err.field === field && err.code === 'InvalidRequest');
    refused(() => changedTag('', undefined, {}, NOW), 'idTag');
    refused(() => changedTag('A'.repeat(21), undefined, {}, NOW), 'idTag');
    refused(() => changedTag('HAS SPACE', undefined, {}, NOW), 'idTag');
    refused(() => changedTag('cabcdefghijklmnopqr2', undefined, {}, NOW), 'idTag'); // a consumer's form
    refused(() => changedTag('OK', undefined, { status: 'Lost' as never }, NOW), 'status');
    refused(() => changedTag('OK', undefined, { expiryDate: 'tomorrow' }, NOW), 'expiryDate');
  });

  it('answers a card as set, expired once its date passed, and a consumer\'s entry before a card of the same idTag', () => {
    const card = changedTag('RFID1', undefined, { parentIdTag: 'FLEET' }, NOW);
    assert.deepEqual(tagDecision(card, NOW), { status: 'Accepted', parentIdTag: 'FLEET' });
    assert.equal(tagDecision({ ...card, expiryDate: '2026-12-06T09:00:00.000Z' }, NOW).status, 'Expired');
    const state = emptyState('S');
    const policy = { acceptUnknownIdTags: false, operatorTag: (t: string) => (t === 'RFID1' ? { ...card, status: 'Blocked' as const } : undefined) };
    assert.equal(authorize(state, 'RFID1', policy, NOW).status, 'Blocked');
    assert.equal(authorize(state, 'OTHER', policy, NOW).status, 'Invalid');
    state.authList.RFID1 = { publicKey: 'k', transactionId: 0, authData: { idTag: 'RFID1', idTagInfo: { status: 'Accepted', expiryDate: '', parentIdTag: '' } } };
    assert.equal(authorize(state, 'RFID1', policy, NOW).status, 'Accepted', 'the station\'s own list first');
  });
});
