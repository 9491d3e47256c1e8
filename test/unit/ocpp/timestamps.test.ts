import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTimestamp, parseTimestamp, readStationTime } from '../../../src/ocpp/core/timestamps.ts';

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

  it('reads the canonical form to the millisecond, with and without the fraction, as the lenient reader does', () => {
    // Years 100-9999; the lenient reader (the same text without its Z, or with +00:00) is the reference.
    fc.assert(fc.property(fc.integer({ min: -59_011_459_200_000, max: 253_402_300_799_999 }), (ms) => {
      const iso = new Date(ms).toISOString();
      const lenient = parseTimestamp(`${iso.slice(0, 23)}+00:00`)?.getTime();
      assert.equal(parseTimestamp(iso)?.getTime(), lenient, iso);
      assert.equal(lenient, ms, iso);
      assert.equal(parseTimestamp(`${iso.slice(0, 19)}Z`)?.getTime(), parseTimestamp(iso.slice(0, 19))?.getTime(), iso);
    }), { numRuns: 5_000 });
    // Years below 100 read as before (1900 + year), with or without the Z.
    assert.equal(parseTimestamp('0001-01-01T00:00:00Z')?.toISOString(), '1901-01-01T00:00:00.000Z');
    assert.equal(parseTimestamp('0001-01-01T00:00:00Z')?.getTime(), parseTimestamp('0001-01-01T00:00:00')?.getTime());
  });

  it('reads any text shaped like the canonical form exactly as the lenient reader reads it (impossible dates too)', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc.tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two(19), two(39), two(29), two(69), two(69), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`);
    const now = new Date('2026-11-21T08:00:00Z');
    fc.assert(fc.property(text, (t) => {
      const lenient = parseTimestamp(`${t.slice(0, 23)}+00:00`);
      assert.equal(parseTimestamp(t)?.getTime(), lenient?.getTime(), t);
      assert.equal(readStationTime(t, now).iso, lenient ? lenient.toISOString() : t, t);
    }), { numRuns: 20_000 });
  });

  it('flags far-future times and times before boot, keeping unparsable text as sent', () => {
    const now = new Date('2026-11-21T08:00:00Z');
    assert.equal(readStationTime('2026-11-21T07:59:00Z', now).suspect, false);
    assert.equal(readStationTime('2027-01-01T00:00:00Z', now).suspect, true);
    assert.equal(readStationTime('2026-11-21T07:00:00Z', now, new Date('2026-11-21T07:30:00Z')).suspect, true);
    assert.deepEqual(readStationTime('garbage', now), { iso: 'garbage', suspect: true });
  });

  it('reads every text as itself when texts alternate (the last ones read are remembered)', () => {
    // Three texts in turn and out of turn: a remembered answer is only ever the same text's.
    const texts = ['2026-11-21T08:00:00.000Z', '2026-11-21T08:00:01.000Z', 'not a time', '2026-11-21T08:00:02.000Z', '2026-02-30T00:00:00.000Z', '2026-11-21T08:00:03Z', '2026-11-21T09:00:04+01:00'];
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: texts.length - 1 }), { minLength: 1, maxLength: 40 }), (order) => {
      for (const i of order) {
        const text = texts[i]!;
        const expected = Number.isNaN(Date.parse(text)) || i === 4 ? undefined : Date.parse(text);
        assert.equal(parseTimestamp(text)?.getTime(), expected, text);
        assert.equal(isTimestamp(text), expected !== undefined, text);
        assert.equal(readStationTime(text, new Date('2026-11-21T09:00:00Z')).suspect, expected === undefined, text);
      }
    }), { numRuns: 300 });
  });
});
