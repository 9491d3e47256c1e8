import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedCoalescer } from '../../../src/domain/keyed-coalescer.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedCoalescer: one run at a time per key, asks meanwhile folded into one more', () => {
  it('runs once more after the run under way however many asks came meanwhile, with the latest task', async () => {
    const runs: string[] = [];
    let release!: () => void;
    const coalescer = new KeyedCoalescer(() => {});
    coalescer.ask('CP1', () => new Promise<void>((r) => { runs.push('first'); release = r; }));
    for (let i = 0; i < 50; i++) coalescer.ask('CP1', async () => { runs.push(`ask ${i}`); });
    await tick();
    assert.deepEqual(runs, ['first'], 'nothing else while the first runs');
    release();
    await tick();
    assert.deepEqual(runs, ['first', 'ask 49']);
    assert.equal(coalescer.size, 0, 'an idle key is forgotten');
  });

  it('runs other keys alongside, and goes on after a failed run', async () => {
    const runs: string[] = [];
    const errors: string[] = [];
    const coalescer = new KeyedCoalescer((key, err) => errors.push(`${key}: ${(err as Error).message}`));
    coalescer.ask('CP1', async () => { runs.push('CP1'); throw new Error('offline'); });
    coalescer.ask('CP2', async () => { runs.push('CP2'); });
    coalescer.ask('CP1', async () => { runs.push('CP1 again'); });
    await tick();
    await tick();
    assert.deepEqual(runs, ['CP1', 'CP2', 'CP1 again']);
    assert.deepEqual(errors, ['CP1: offline']);
    coalescer.ask('CP1', async () => { runs.push('CP1 later'); });
    await tick();
    assert.equal(runs.at(-1), 'CP1 later', 'a key runs again once idle');
  });
});
