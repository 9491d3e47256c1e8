import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAddress } from '@polkadot/util-crypto';
import { parseConsumerKey } from '../../../src/crypto/consumer-key.ts';
import { idTagForKey } from '../../../src/domain/consumer-ids.ts';
import { priceSession } from '../../../src/domain/pricing.ts';
import { signedValuesIn } from '../../../src/domain/receipts.ts';
import { SessionTransitionError, newSession, transition } from '../../../src/domain/sessions.ts';

describe('consumer keys and idTags', () => {
  it('reads hex and SS58 forms of the same key as the same bytes', () => {
    const bytes = new Uint8Array(32).map((_, i) => i);
    const hex = Buffer.from(bytes).toString('hex');
    for (const text of [hex, `0x${hex}`, encodeAddress(bytes, 42), encodeAddress(bytes, 0)]) {
      assert.equal(parseConsumerKey(text).hex, hex, text);
    }
    assert.throws(() => parseConsumerKey('0x1234'), /neither 32 bytes of hex nor an SS58 address/);
    assert.throws(() => parseConsumerKey(''), /neither/);
  });

  it('derives a stable 20-character base32 idTag, different per key', () => {
    const a = idTagForKey(new Uint8Array(32).fill(1));
    assert.match(a, /^C[A-Z2-7]{19}$/);
    assert.equal(a, idTagForKey(new Uint8Array(32).fill(1)));
    assert.notEqual(a, idTagForKey(new Uint8Array(32).fill(2)));
    // Pinned (computed from the documented formula): a change of the derivation would orphan
    // every idTag that stations already hold on their local lists.
    assert.equal(idTagForKey(new Uint8Array(32)), 'CI22JRC42EZFAOTO2P5U');
    assert.equal(idTagForKey(new Uint8Array(32).fill(7)), 'CPCDXWDJIZHWZZ3IMX5V');
  });
});

describe('pricing', () => {
  const tariff = { pricePerKwh: '500000000000000000', pricePerMinute: '100', sessionFee: '5', currency: 'PEAQ', decimals: 18 };
  it('prices energy, time and the fee exactly in the smallest unit', () => {
    const p = priceSession(tariff, 12_345, 3_600);
    assert.equal(p.energyAmount, 6_172_500_000_000_000_000n);
    assert.equal(p.timeAmount, 6_000n);
    assert.equal(p.total, 6_172_500_000_000_006_005n);
  });
  it('rounds each part half up', () => {
    const t = { ...tariff, pricePerKwh: '3', pricePerMinute: '1', sessionFee: '0' };
    assert.equal(priceSession(t, 500, 0).energyAmount, 2n); // 1.5 → 2
    assert.equal(priceSession(t, 499, 0).energyAmount, 1n); // 1.497 → 1
    assert.equal(priceSession(t, 0, 30).timeAmount, 1n); // 0.5 → 1
    assert.equal(priceSession(t, 0, 29).timeAmount, 0n);
  });
});

describe('sessions and receipts', () => {
  it('allows only the state machine transitions', () => {
    const s = newSession({ id: 's', station: 'X', keyText: 'k', keyHex: 'k', idTag: 'C', now: new Date(), expiresAt: new Date() });
    assert.throws(() => transition(s, 'stopped', new Date()), SessionTransitionError);
    transition(s, 'starting', new Date());
    transition(s, 'charging', new Date());
    assert.throws(() => transition(s, 'failed', new Date()), SessionTransitionError);
    transition(s, 'stopping', new Date());
    transition(s, 'charging', new Date(), 'stop rejected');
    assert.equal(s.reason, 'stop rejected');
  });

  it('finds the station-signed meter values of both versions', () => {
    const v16 = JSON.stringify([{ value: '12' }, { value: 'OCMF|{}|{}', format: 'SignedData' }]);
    const v201 = JSON.stringify([{ value: 12, signedMeterValue: { signedMeterData: 'abc', signingMethod: 'm', encodingMethod: 'OCMF', publicKey: 'p' } }]);
    assert.deepEqual(signedValuesIn(v16), ['OCMF|{}|{}']);
    assert.deepEqual(JSON.parse(signedValuesIn(v201)[0]!).signedMeterData, 'abc');
    assert.deepEqual(signedValuesIn('not json'), []);
  });
});
