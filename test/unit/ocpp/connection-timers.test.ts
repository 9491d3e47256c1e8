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
  it('pings each connection once per interval, not all in the same tick, and none that left', async () => {
    const intervalMs = 160;
    const keepAlive = new KeepAlive<Station>(intervalMs);
    const stations: Station[] = [];
    // Joining at different times, so they fall into different slots.
    for (let i = 0; i < 32; i++) {
      const station = new Station();
      stations.push(station);
      keepAlive.add(station);
      keepAlive.add(station); // twice is once
      await sleep(intervalMs / 32);
    }
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
    // 31 stations over 16 slots: about 2 per slot, where one timer each would also spread them.
    const firsts = stations.map((s) => s.served[0]!).sort((a, b) => a - b);
    const together = Math.max(...firsts.map((t) => firsts.filter((u) => u >= t && u - t < 2).length));
    assert.ok(together <= 8, `the pings are spread over the interval (${together} within 2 ms)`);
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
