// When the node compacts its heap: only after two quiet checks, only when the heap holds much
// more than it uses, not again until it has grown as much again and ten checks have passed,
// and less and less often when it keeps needing one without a burst in between (seen in review:
// a steady light load was compacted every ten checks, a 0.2-0.3 s pause each time).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDLE_COMPACTION_RULES, IdleCompaction, readProcess, type MemoryReading } from '../../../gateway/idle-compaction.ts';
import { silentLogger } from '../../../src/log/logger.ts';

const MiB = 1024 * 1024;
const reading = (busy: number, committedMiB: number, usedMiB: number): MemoryReading => ({ busy, committed: committedMiB * MiB, used: usedMiB * MiB });
const QUIET = 0.01;
const BUSY = 0.5;

/** A compaction fed the readings given to `check`; a collection leaves the heap at `afterMiB`. */
function harness(afterMiB = 100) {
  const queue: MemoryReading[] = [];
  let collections = 0;
  let collected = false;
  const compaction = new IdleCompaction({
    log: silentLogger,
    collect: () => { collections++; collected = true; },
    // The reading taken right after a collection is the heap it left.
    read: () => {
      if (collected) {
        collected = false;
        return reading(0, afterMiB, afterMiB - 2);
      }
      const next = queue.shift();
      assert.ok(next, 'a reading for every check');
      return next;
    },
  });
  const check = (r: MemoryReading): number => {
    queue.push(r);
    compaction.check();
    return collections;
  };
  return {
    check,
    /** Checks with the same reading until a compaction happens; how many it took (Infinity: none in `limit`). */
    checksUntilCompaction(r: MemoryReading, limit = 2000): number {
      const before = collections;
      for (let i = 1; i <= limit; i++) if (check(r) > before) return i;
      return Infinity;
    },
    get count() { return compaction.count; },
  };
}

const SPARE = reading(QUIET, 400, 150);

describe('idle compaction', () => {
  it('compacts once the node has been quiet for two checks and holds far more than it uses, and counts it', () => {
    const h = harness();
    assert.equal(h.check(SPARE), 0, 'one quiet check is not enough (a burst may be ending)');
    assert.equal(h.check(SPARE), 1);
    assert.equal(h.count, 1);
  });

  it('leaves a busy node alone, however much it holds spare', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) assert.equal(h.check(reading(BUSY, 400, 150)), 0);
    assert.equal(h.check(reading(IDLE_COMPACTION_RULES.quietBelow, 400, 150)), 0);
    assert.equal(h.check(reading(IDLE_COMPACTION_RULES.quietBelow, 400, 150)), 0, 'busy exactly at the threshold is not quiet');
    // A busy check between two quiet ones starts the count again.
    assert.equal(h.check(SPARE), 0);
    assert.equal(h.check(reading(BUSY, 400, 150)), 0);
    assert.equal(h.check(SPARE), 0);
    assert.equal(h.check(SPARE), 1);
  });

  it('leaves a quiet node alone whose heap holds less than 64 MiB spare', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) assert.equal(h.check(reading(QUIET, 400, 400 - 63)), 0);
    assert.equal(h.check(reading(QUIET, 400, 400 - 64)), 1);
  });

  it('compacts again after exactly ten checks, once the heap grew by 64 MiB beyond what the last one left', () => {
    const h = harness(100);
    h.check(reading(BUSY, 400, 150));
    assert.equal(h.checksUntilCompaction(SPARE), 2);
    // A burst, then quiet again: the tenth check after the compaction is the first that may.
    assert.equal(h.check(reading(BUSY, 600, 150)), 1);
    for (let i = 2; i < IDLE_COMPACTION_RULES.checksBetween; i++) assert.equal(h.check(reading(QUIET, 600, 150)), 1, `check ${i}`);
    assert.equal(h.check(reading(QUIET, 600, 150)), 2, `check ${IDLE_COMPACTION_RULES.checksBetween}`);
    // A heap that stayed fragmented (not grown 64 MiB beyond the 100 MiB the compaction left) is left alone.
    h.check(reading(BUSY, 163, 90));
    assert.equal(h.checksUntilCompaction(reading(QUIET, 163, 90), 100), Infinity);
    assert.equal(h.check(reading(QUIET, 164, 90)), 3);
  });

  it('waits twice as long each time it is needed again without the node having been busy, back to ten after a burst', () => {
    const h = harness(100);
    h.check(reading(BUSY, 400, 150));
    assert.equal(h.checksUntilCompaction(SPARE), 2);
    const gaps = [1, 2, 3, 4, 5, 6, 7].map(() => h.checksUntilCompaction(SPARE));
    const { checksBetween, maxChecksBetween } = IDLE_COMPACTION_RULES;
    assert.deepEqual(gaps, [checksBetween, checksBetween * 2, checksBetween * 4, checksBetween * 8, checksBetween * 16, checksBetween * 32, maxChecksBetween]);
    // A burst once the wait has grown to its longest: the node compacts as soon as it is quiet
    // after it (seen in review: it waited out the 640 checks), and the wait is ten again.
    for (let i = 0; i < 12; i++) h.check(reading(BUSY, 800, 600));
    assert.equal(h.checksUntilCompaction(reading(QUIET, 800, 150)), 2);
    assert.equal(h.checksUntilCompaction(SPARE), checksBetween);
  });

  it('reads the event loop as busy while it runs and as quiet while it waits', async () => {
    // (Readings start with the event loop's turns: taken inside one, as the node's timer does.)
    const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 10));
    await turn();
    const read = readProcess();
    await turn();
    const spinUntil = performance.now() + 300;
    while (performance.now() < spinUntil) { /* the event loop is busy */ }
    const busy = read();
    await new Promise((r) => setTimeout(r, 300));
    const quiet = read();
    assert.ok(busy.busy > 0.8, `busy ${busy.busy}`);
    assert.ok(quiet.busy < IDLE_COMPACTION_RULES.quietBelow, `quiet ${quiet.busy}`);
    assert.ok(quiet.committed > quiet.used && quiet.used > 0);
  });
});
