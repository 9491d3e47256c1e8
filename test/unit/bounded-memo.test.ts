import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMemo } from '../../src/bounded-memo.ts';

describe('a bounded memo (caches keyed by what the network sends)', () => {
  it('keeps at most its capacity, forgetting the least recently used first', () => {
    const memo = new BoundedMemo<string, number>(3);
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) memo.set(k, v);
    assert.equal(memo.get('a'), 1); // a is now the most recently used
    memo.set('d', 4);
    assert.equal(memo.get('b'), undefined, 'the least recently used went first');
    assert.deepEqual(['a', 'c', 'd'].map((k) => memo.get(k)), [1, 3, 4]);
    memo.set('c', 30);
    assert.equal(memo.size, 3);
    assert.equal(memo.get('c'), 30);
  });

  it('stays at its capacity under a stream of new keys', () => {
    const memo = new BoundedMemo<number, number>(100);
    for (let i = 0; i < 10_000; i++) memo.set(i, i);
    assert.equal(memo.size, 100);
    assert.equal(memo.get(9_999), 9_999);
    assert.equal(memo.get(9_899), undefined);
  });
});
