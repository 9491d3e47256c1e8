// The dashboard's money section: what settled sessions left unpaid, as a person reads the amount
// (seen: smallest units only, 500000000000000000 for half a PEAQ).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardSnapshot } from '../../../gateway/dashboard/snapshot.ts';
import { ChargePointService } from '../../../src/domain/charge-point-service.ts';
import { formatAmount } from '../../../src/domain/amounts.ts';
import { MemoryStoreDouble } from '../../helpers/memory-store.ts';

const TARIFF = { pricePerKwh: '0', pricePerMinute: '0', sessionFee: '0', currency: 'PEAQ', decimals: 18 };

describe('dashboard snapshot', () => {
  it('shows an unpaid remainder with its decimals and currency, and keeps the smallest units beside it', async () => {
    const service = new ChargePointService({ repository: new MemoryStoreDouble(), authorization: { acceptUnknownIdTags: false }, tariff: TARIFF });
    const debt = { station: 'CP01', sessionId: 'abcdef0123456789', consumerKeyHex: 'aa'.repeat(32), amount: '500000000000000000', createdAt: '', budget: '', spent: '' };
    const snapshot = await dashboardSnapshot(service, { isConnected: () => false, for: () => { throw new Error('offline'); } }, {
      openPayouts: async () => [],
      debts: async () => [debt as never],
      format: (a) => formatAmount(a, 18, 'PEAQ'),
    });
    assert.deepEqual(snapshot.money?.unpaid.map((u) => [u.amountText, u.amount]), [['0.5 PEAQ', '500000000000000000']]);
  });
});
