import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytesPooled } from '../../../src/crypto/random-pool.ts';

describe('pooled random bytes (event nonces)', () => {
  it('gives each caller its own fresh bytes, kept unchanged when the pool is refilled', () => {
    const first = randomBytesPooled(16);
    const kept = Buffer.from(first).toString('hex');
    const seen = new Set([kept]);
    for (let i = 0; i < 1_000; i++) seen.add(Buffer.from(randomBytesPooled(16)).toString('hex')); // 16 KB: four refills
    assert.equal(seen.size, 1_001, 'no nonce repeats');
    assert.equal(Buffer.from(first).toString('hex'), kept, 'a nonce handed out is a copy, not a view of the pool');
    assert.throws(() => randomBytesPooled(4097), RangeError);
  });
});
