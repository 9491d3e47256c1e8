// The history use case over the in-memory storage double: whose session a transaction was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionHistory } from '../../../src/app/transaction-history.ts';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { emptyChange } from '../../../src/domain/change.ts';
import { ChargePointService } from '../../../src/domain/charge-point-service.ts';
import type { TransactionInfo } from '../../../src/domain/model.ts';
import type { ConsumerSession } from '../../../src/domain/sessions.ts';
import { MemoryStoreDouble } from '../../helpers/memory-store.ts';

const TARIFF = { pricePerKwh: '0', pricePerMinute: '0', sessionFee: '0', currency: 'PEAQ', decimals: 18 };
const tx = (id: number, startTime: string): TransactionInfo => ({ id, idTag: 'T', connectorId: 1, startTime, endTime: startTime, startReceivedAt: startTime, startMeter: 0, endMeter: 10 } as TransactionInfo);

describe('transaction history (app layer, in-memory storage double)', () => {
  it('names a consumer only for the transaction their session ran, not a later one with the same id (a station deleted and back)', async () => {
    const store = new MemoryStoreDouble();
    const service = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF });
    const old = tx(1, '2026-11-01T10:00:00.000Z');
    const session = { id: 's1', consumerKeyHex: 'aa', transactionId: 1, state: 'stopped', receipt: { transaction: old } } as unknown as ConsumerSession;
    await store.commit({ ...emptyChange('H1', emptyState('H1')), finishedSessions: [session] });
    // The station came back: its transaction ids start at 1 again.
    await store.commit({ ...emptyChange('H1', emptyState('H1')), finished: [tx(1, '2026-12-06T10:00:00.000Z')] });
    await store.commit({ ...emptyChange('H2', emptyState('H2')), finished: [old], finishedSessions: [{ ...session, id: 's2' }] });
    const history = new TransactionHistory({ service, stations: store.stations, sessions: store.sessions });
    await service.warmUp();
    const entries = await history.entries({});
    assert.deepEqual(entries.map((e) => [e.station, e.startTime.slice(0, 10), e.consumer]), [
      ['H1', '2026-12-06', ''],
      ['H2', '2026-11-01', 'aa'],
    ]);
  });
});
