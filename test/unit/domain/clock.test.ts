// The node writes each instant as the date's own ISO text, also when a (test or station-set)
// clock goes back, though it remembers the last one written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoTime } from '../../../src/domain/clock.ts';

describe('isoTime', () => {
  it('is toISOString for every date, in any order', () => {
    const times = [1_796_000_000_000, 1_796_000_000_000, 1_796_000_000_001, 1_700_000_000_000, 1_796_000_000_001, 0];
    for (const ms of times) assert.equal(isoTime(new Date(ms)), new Date(ms).toISOString());
    assert.throws(() => isoTime(new Date(Number.NaN)), RangeError);
  });
});
