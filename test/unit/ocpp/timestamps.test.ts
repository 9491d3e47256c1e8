import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimestamp, readStationTime } from '../../../src/ocpp/core/timestamps.ts';

describe('lenient ISO 8601 timestamps', () => {
  it('reads the forms real stations send', () => {
    const iso = (t: string) => parseTimestamp(t)?.toISOString();
    assert.equal(iso('2026-11-21T08:00:00Z'), '2026-11-21T08:00:00.000Z');
    assert.equal(iso('2026-11-21T08:00:00.123456789Z'), '2026-11-21T08:00:00.123Z');
    assert.equal(iso('2026-11-21T09:00:00+01:00'), '2026-11-21T08:00:00.000Z');
    assert.equal(iso('2026-11-21T03:30:00-0430'), '2026-11-21T08:00:00.000Z');
    assert.equal(iso('2026-11-21T08:00:00'), '2026-11-21T08:00:00.000Z', 'no offset reads as UTC');
    assert.equal(iso('2026-11-21 08:00'), '2026-11-21T08:00:00.000Z');
  });

  it('refuses what is not a date-time', () => {
    for (const t of ['', 'yesterday', '2026-02-30T00:00:00Z', '2026-11-21T25:00:00Z', '2026-11-21']) assert.equal(parseTimestamp(t), undefined, t);
    // The canonical form is read natively first; a date it would roll over is refused all the same.
    for (const t of ['2026-02-30T00:00:00.000Z', '2026-11-21T24:00:00Z', '2026-11-31T10:00:00.000Z', 'Sat, 21 Nov 2026 08:00:00 GMT']) assert.equal(parseTimestamp(t), undefined, t);
  });

  it('reads the canonical form to the millisecond, with and without the fraction', () => {
    for (let i = 0; i < 2_000; i++) {
      const ms = Math.floor(Math.random() * 4_102_444_800_000);
      const iso = new Date(ms).toISOString();
      assert.equal(parseTimestamp(iso)?.getTime(), ms, iso);
      assert.equal(parseTimestamp(`${iso.slice(0, 19)}Z`)?.getTime(), ms - (ms % 1000), iso);
    }
  });

  it('flags far-future times and times before boot, keeping unparsable text as sent', () => {
    const now = new Date('2026-11-21T08:00:00Z');
    assert.equal(readStationTime('2026-11-21T07:59:00Z', now).suspect, false);
    assert.equal(readStationTime('2027-01-01T00:00:00Z', now).suspect, true);
    assert.equal(readStationTime('2026-11-21T07:00:00Z', now, new Date('2026-11-21T07:30:00Z')).suspect, true);
    assert.deepEqual(readStationTime('garbage', now), { iso: 'garbage', suspect: true });
  });
});
