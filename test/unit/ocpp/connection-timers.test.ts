// The timers every station connection shares: pings once per interval, spread over the
// interval; the boot deadline once, unless the connection left first.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { BootDeadline } from '../../../src/ocpp/core/boot-deadline.ts';
import { KeepAlive } from '../../../src/ocpp/core/keep-alive.ts';

class Station {
  readonly served: number[] = [];
  keepAliveTick(): void {
    this.served.push(performance.now());
  }
}

describe('shared connection timers', () => {
  it('pings each connection once per interval, spread over the interval even when all join at once, and none that left', async () => {
    const intervalMs = 160;
    const keepAlive = new KeepAlive<Station>(intervalMs);
    // A reconnect storm: every station joins in the same turn.
    const stations = Array.from({ length: 32 }, () => new Station());
    for (const station of stations) keepAlive.add(station);
    await sleep(intervalMs / 2);
    for (const station of stations) keepAlive.add(station); // again, later: still once
    assert.equal(keepAlive.size, 32);
    const gone = stations.pop()!;
    keepAlive.remove(gone);
    const servedBefore = gone.served.length;
    const start = performance.now();
    await sleep(intervalMs * 6);
    const elapsed = performance.now() - start;
    keepAlive.stop();
    for (const station of stations) {
      const inWindow = station.served.filter((t) => t >= start).length;
      // Once per interval: a slow timer may serve one round less, never more than one extra.
      assert.ok(inWindow >= Math.floor(elapsed / intervalMs) - 2 && inWindow <= Math.ceil(elapsed / intervalMs) + 1, `served ${inWindow} times in ${elapsed.toFixed(0)} ms`);
    }
    assert.equal(gone.served.length, servedBefore, 'a connection that left is not pinged');
    // 31 stations over 16 slots: 2 per slot, one slot served every 10 ms.
    const firsts = stations.map((s) => s.served.find((t) => t >= start)!).sort((a, b) => a - b);
    const together = Math.max(...firsts.map((t) => firsts.filter((u) => u >= t && u - t < 2).length));
    assert.ok(together <= 4, `the pings are spread over the interval (${together} within 2 ms)`);
  });

  it('serves nothing with an interval of 0 (pings off)', async () => {
    const keepAlive = new KeepAlive<Station>(0);
    const station = new Station();
    keepAlive.add(station);
    await sleep(50);
    assert.equal(station.served.length, 0);
  });

  it('hands over a connection once its deadline passed, in order, and never one dropped before', async () => {
    const due: { name: string; elapsedMs: number }[] = [];
    const deadline = new BootDeadline<string>(120, (name, elapsedMs) => due.push({ name, elapsedMs }), 20);
    deadline.watch('first');
    await sleep(30);
    deadline.watch('second');
    deadline.watch('left');
    await sleep(30);
    deadline.drop('left');
    await sleep(250);
    assert.deepEqual(due.map((d) => d.name), ['first', 'second']);
    for (const d of due) assert.ok(d.elapsedMs >= 120, `${d.name} handed over after ${d.elapsedMs.toFixed(0)} ms, not before the deadline`);
  });
});
