import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedSerialTasks } from '../../src/serial-task.ts';

const tick = () => new Promise((r) => setImmediate(r));

/** A job whose runs wait until released, recording each run's key. */
function heldJob() {
  const runs: string[] = [];
  const releases: (() => void)[] = [];
  const job = (key: string) => new Promise<void>((resolve) => { runs.push(key); releases.push(resolve); });
  return { runs, job, release: () => releases.shift()!() };
}

describe('KeyedSerialTasks: one run at a time per key, asks meanwhile folded into one more', () => {
  it('runs once more after the run under way however many asks came meanwhile, and again for an ask during that run', async () => {
    const { runs, job, release } = heldJob();
    const tasks = new KeyedSerialTasks(job, () => {});
    for (let i = 0; i < 50; i++) tasks.request('CP1');
    await tick();
    assert.deepEqual(runs, ['CP1'], 'nothing else while the first runs');
    release();
    await tick();
    assert.deepEqual(runs, ['CP1', 'CP1'], 'the 49 asks made during it: one more run');
    tasks.request('CP1');
    release();
    await tick();
    assert.deepEqual(runs, ['CP1', 'CP1', 'CP1'], 'an ask during the second run: a third');
    release();
    await tick();
    assert.equal(tasks.size, 0, 'an idle key is forgotten');
    tasks.request('CP1');
    assert.equal(runs.length, 4, 'and runs at once when asked again');
    release();
  });

  it('runs other keys alongside, goes on after a failed run, and is not stopped by a failing error handler', async () => {
    const runs: string[] = [];
    const errors: string[] = [];
    let fail = true;
    const tasks = new KeyedSerialTasks(async (key) => {
      runs.push(key);
      if (key === 'CP1' && fail) throw new Error('offline');
    }, (key, err) => {
      errors.push(`${key}: ${(err as Error).message}`);
      throw new Error('the error handler failed too');
    });
    tasks.request('CP1');
    tasks.request('CP2');
    tasks.request('CP1');
    fail = false;
    await tick();
    await tick();
    assert.deepEqual(runs, ['CP1', 'CP2', 'CP1']);
    assert.deepEqual(errors, ['CP1: offline']);
    assert.equal(tasks.size, 0, 'no key held by the failure');
  });
});
