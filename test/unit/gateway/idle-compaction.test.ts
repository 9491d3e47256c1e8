// When the node compacts its heap: only once quiet, only when the heap holds much more than it
// uses, not again until it has grown as much again, and at most once per ten checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDLE_COMPACTION_RULES, IdleCompaction, type MemoryReading } from '../../../gateway/idle-compaction.ts';
import { silentLogger } from '../../../src/log/logger.ts';

const MiB = 1024 * 1024;
const reading = (busy: number, committedMiB: number, usedMiB: number): MemoryReading => ({ busy, committed: committedMiB * MiB, used: usedMiB * MiB });

/** A compaction whose process readings come from `script`; a collection leaves the heap at `afterMiB`. */
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
  return {
    check(r: MemoryReading): number {
      queue.push(r);
      compaction.check();
      return collections;
    },
    get count() { return compaction.count; },
  };
}

describe('idle compaction', () => {
  it('compacts a quiet node that holds far more than it uses, and counts it', () => {
    const h = harness();
    assert.equal(h.check(reading(0.01, 400, 150)), 1);
    assert.equal(h.count, 1);
  });

  it('leaves a busy node alone, however much it holds spare', () => {
    const h = harness();
    assert.equal(h.check(reading(0.5, 400, 150)), 0);
    assert.equal(h.check(reading(IDLE_COMPACTION_RULES.quietBelow, 400, 150)), 0);
  });

  it('leaves a quiet node alone whose heap holds little spare', () => {
    const h = harness();
    assert.equal(h.check(reading(0, 400, 400 - 63)), 0);
    assert.equal(h.check(reading(0, 400, 400 - 64)), 1);
  });

  it('compacts again only after ten checks and once the heap grew by the spare amount again', () => {
    const h = harness(100);
    assert.equal(h.check(reading(0, 400, 150)), 1);
    // Within the next ten checks nothing happens, however much it holds.
    for (let i = 1; i < IDLE_COMPACTION_RULES.checksBetween; i++) assert.equal(h.check(reading(0, 600, 150)), 1, `check ${i}`);
    // A heap that stayed fragmented (not grown 64 MiB beyond what the compaction left) is left alone.
    assert.equal(h.check(reading(0, 163, 90)), 1);
    assert.equal(h.check(reading(0, 164, 90)), 2);
  });
});
