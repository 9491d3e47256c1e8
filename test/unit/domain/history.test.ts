import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyPage, matches, type HistoryEntry } from '../../../src/domain/history.ts';

const entry = (station: string, id: number, minute: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  station, id, ocppTransactionId: '', connectorId: 1, idTag: 'T', consumer: '', state: 'finished',
  startTime: `2026-12-06T10:${String(minute).padStart(2, '0')}:00.000Z`, endTime: '', receivedAt: `2026-12-06T10:${String(minute).padStart(2, '0')}:00.000Z`,
  energyWh: 0, stopReason: '', ...extra,
});

describe('transaction history order and paging', () => {
  it('orders by when the node received the start, the latest first; ties by station, then the newest id', () => {
    const all = [entry('B', 1, 5), entry('A', 2, 5), entry('A', 3, 5), entry('C', 1, 9), entry('A', 1, 1)];
    assert.deepEqual(historyPage(all, 10).items.map((e) => `${e.station}${e.id}`), ['C1', 'A3', 'A2', 'B1', 'A1']);
  });

  it('continues after the cursor: no row twice, none skipped, also when newer rows came meanwhile', () => {
    const all = Array.from({ length: 7 }, (_, i) => entry('S', i + 1, i));
    const first = historyPage(all, 3);
    const grown = [...all, entry('S', 8, 30), entry('R', 1, 30)];
    const second = historyPage(grown, 3, first.next);
    const third = historyPage(grown, 3, second.next);
    assert.deepEqual([...first.items, ...second.items, ...third.items].map((e) => e.id), [7, 6, 5, 4, 3, 2, 1]);
    assert.equal(third.next, undefined, 'the last page says so');
  });

  it('filters by station clock times, state, tag and consumer', () => {
    const e = entry('S', 1, 10, { idTag: 'X', consumer: 'ab', state: 'open' });
    assert.ok(matches(e, { from: '2026-12-06T10:10:00Z', to: '2026-12-06T10:11:00Z', idTag: 'X', consumer: 'ab', state: 'open', station: 'S' }));
    assert.ok(!matches(e, { to: '2026-12-06T10:10:00Z' }), 'to is exclusive');
    assert.ok(!matches(e, { state: 'finished' }) && !matches(e, { consumer: 'cd' }) && !matches(e, { station: 'T' }));
  });
});
