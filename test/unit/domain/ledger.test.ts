import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { depositPosition, divideBudget, stillPromised } from '../../../src/domain/ledger.ts';

describe('the deposit ledger (arithmetic)', () => {
  it('divides any budget so that spent + refund = budget, spent never exceeds the cost, and the rest of the cost is unpaid', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.bigInt({ min: 0n, max: 10n ** 24n }), (cost, budget) => {
      const { spent, refund, unpaid } = divideBudget(cost, budget);
      assert.equal(spent + refund, budget);
      assert.ok(spent <= cost && spent <= budget && refund >= 0n);
      assert.equal(spent + unpaid, cost);
    }));
  });

  it('counts a payout as paid only once the chain executed it at or before the block whose balance was read', () => {
    const p = (state: string, executedBlock: number) => ({ amount: 5n, state, executedBlock });
    assert.equal(stillPromised(p('open', 0), 10), true);
    assert.equal(stillPromised(p('executed', 10), 10), false, 'the balance at block 10 shows it');
    assert.equal(stillPromised(p('executed', 11), 10), true, 'executed after the read: the balance still holds it');
    assert.equal(stillPromised(p('failed', 9), 10), false, 'nothing moved');
  });

  it('makes available = free − promised − reserved, never negative, whatever the mix', () => {
    fc.assert(fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 19n }), { maxLength: 5 }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 19n }), { maxLength: 5 }),
      (free, promised, reserved) => {
        const pos = depositPosition({ multisig: 'm', block: 1, free, payouts: promised.map((amount) => ({ amount, state: 'open', executedBlock: 0 })), reservations: reserved, debts: [] });
        const left = free - promised.reduce((a, b) => a + b, 0n) - reserved.reduce((a, b) => a + b, 0n);
        assert.equal(pos.available, left > 0n ? left : 0n);
      },
    ));
  });
});
