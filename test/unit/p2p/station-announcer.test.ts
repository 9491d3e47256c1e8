import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StationAnnouncer } from '../../../src/p2p/station-announcer.ts';

// A DHT that answers when told to, so the test sees how many queries are open at once.
function slowDht() {
  const open = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const started: string[] = [];
  let maxOpen = 0;
  const provide = (identity: string): Promise<void> => new Promise((resolve, reject) => {
    started.push(identity);
    open.set(identity, { resolve, reject });
    maxOpen = Math.max(maxOpen, open.size);
  });
  const settle = async (identity: string, err?: Error) => {
    const p = open.get(identity)!;
    open.delete(identity);
    if (err) p.reject(err); else p.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { provide, settle, started, open, maxOpen: () => maxOpen };
}

describe('DHT station announcements', () => {
  it('a restart with many stations runs at most `concurrency` queries, each station once, in arrival order', async () => {
    const dht = slowDht();
    const errors: string[] = [];
    const announcer = new StationAnnouncer(dht.provide, { concurrency: 3, timeoutMs: 30_000, onError: (id) => errors.push(id) });
    for (let i = 0; i < 10; i++) announcer.announce(`CP-${i}`);
    announcer.announce('CP-5'); // a reconnect while waiting: still one announcement
    assert.deepEqual(dht.started, ['CP-0', 'CP-1', 'CP-2']);
    assert.equal(announcer.backlog, 7);
    await dht.settle('CP-1', new Error('no DHT peers'));
    assert.deepEqual(errors, ['CP-1'], 'a failed announcement is reported');
    while (dht.open.size) await dht.settle([...dht.open.keys()][0]!);
    assert.deepEqual(dht.started, Array.from({ length: 10 }, (_, i) => `CP-${i}`));
    assert.equal(dht.maxOpen(), 3);
    assert.equal(announcer.backlog, 0);
  });

  it('stop drops the waiting stations and refuses new ones', async () => {
    const dht = slowDht();
    const announcer = new StationAnnouncer(dht.provide, { concurrency: 1, timeoutMs: 30_000, onError: () => {} });
    announcer.announce('A');
    announcer.announce('B');
    announcer.stop();
    announcer.announce('C');
    await dht.settle('A');
    assert.deepEqual(dht.started, ['A']);
    assert.equal(announcer.backlog, 0);
  });

  it('gives each query an abort signal that fires after the timeout', async () => {
    let seen: AbortSignal | undefined;
    const keepAlive = setTimeout(() => {}, 5_000); // AbortSignal.timeout alone does not hold the event loop
    const done = new Promise<void>((resolve) => {
      const announcer = new StationAnnouncer((_id, signal) => {
        seen = signal;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      }, { concurrency: 1, timeoutMs: 50, onError: () => resolve() });
      announcer.announce('A');
    });
    await done;
    clearTimeout(keepAlive);
    assert.equal(seen?.aborted, true);
  });
});
