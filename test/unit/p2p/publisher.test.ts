// The publisher against the outbox: every event leaves it once, in order; an event on a topic
// no peer follows is not built into a gossipsub message (its signature was the largest cost of
// publishing) but stays in the archive for the wallets that ask for it later.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { emptyChange } from '../../../src/domain/change.ts';
import { LevelStore } from '../../../src/store/level-store.ts';
import { EventPublisher, type OutboxSource, type PubSubSink } from '../../../src/p2p/publisher.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { tempDir } from '../../helpers/gateway.ts';
import { eventually } from '../../helpers/wait.ts';
import { codecFor } from '../../../src/proto/codec.ts';

const bundles = codecFor('cgw.EventBundle');

class ListOutbox implements OutboxSource {
  readonly entries: { id: string; topic: string; seq: number; envelope: Uint8Array }[] = [];
  async outboxEntries(limit: number) {
    return this.entries.slice(0, limit);
  }
  async removeOutbox(ids: string[]) {
    for (const id of ids) this.entries.splice(this.entries.findIndex((e) => e.id === id), 1);
  }
}

describe('event publisher', () => {
  it('publishes the events of followed topics in order and passes over those nobody follows (seen: every status change signed for gossipsub with no peer on its topic)', async () => {
    const outbox = new ListOutbox();
    for (let i = 1; i <= 6; i++) outbox.entries.push({ id: `e${i}`, topic: i % 2 ? 'cgw/v1/station/FOLLOWED' : 'cgw/v1/station/ALONE', seq: Math.ceil(i / 2), envelope: new Uint8Array([i]) });
    const sent: string[] = [];
    const pubsub: PubSubSink = {
      publish: async (topic, data) => { sent.push(`${topic}#${data[0]}`); },
      getSubscribers: (topic) => (topic.endsWith('FOLLOWED') ? ['wallet'] : []),
    };
    const publisher = new EventPublisher({ outbox, pubsub, maxPerSecond: 1_000, log: silentLogger });
    try {
      publisher.nudge();
      await eventually(() => outbox.entries.length === 0, 5_000, 'the outbox drains');
      assert.deepEqual(sent, ['cgw/v1/station/FOLLOWED#1', 'cgw/v1/station/FOLLOWED#3', 'cgw/v1/station/FOLLOWED#5']);
      assert.deepEqual([publisher.count, publisher.unheardCount], [3, 3]);
    } finally {
      await publisher.stop(0);
    }
  });

  it('drains a backlog of several batches after one nudge, and an event queued during a drain with its nudge, reading the outbox once per batch', async () => {
    // The node's own LevelDB outbox; the pubsub side records what it is given (gossipsub
    // itself runs in the integration tests, with wallets in their own processes).
    const folder = tempDir('cgw-publisher-');
    const store = await LevelStore.open(folder);
    const topic = 'cgw/v1/station/FOLLOWED';
    const queue = (seqs: number[]) => store.commit({ ...emptyChange('P-1', emptyState('P-1')), outbox: seqs.map((seq) => ({ topic, seq, envelope: new Uint8Array([seq % 256]), followed: true })) });
    await queue(Array.from({ length: 250 }, (_, i) => i + 1));
    let reads = 0;
    const outbox: OutboxSource = {
      outboxEntries: (limit) => { reads++; return store.events.outboxEntries(limit); },
      removeOutbox: (ids) => store.events.removeOutbox(ids),
    };
    const sent: number[] = [];
    let queued: Promise<void> | undefined;
    const pubsub: PubSubSink = {
      publish: async (_topic, data) => {
        sent.push(data[0]!);
        // A change committed while the last batch is being published: queued, then nudged.
        if (sent.length === 240) queued = queue([251]).then(() => publisher.nudge());
      },
      getSubscribers: () => ['wallet'],
    };
    const publisher = new EventPublisher({ outbox, pubsub, maxPerSecond: 100_000, log: silentLogger });
    try {
      publisher.nudge();
      await eventually(async () => sent.length === 251 && (await store.events.outboxSize()) === 0, 5_000, 'the outbox drains');
      await queued;
      assert.deepEqual(sent, Array.from({ length: 251 }, (_, i) => (i + 1) % 256), 'every event published once, in order');
      assert.equal(reads, 4, 'three batches and the one queued during the last: no read that finds the outbox empty');
    } finally {
      await publisher.stop(0);
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('bundles the station events of a batch for a peer that follows the stations feed, each once, beside what single topics get', async () => {
    const outbox = new ListOutbox();
    const A = 'cgw/v1/station/A', B = 'cgw/v1/station/B', C = 'cgw/v1/consumer/c1', QUIET = 'cgw/v1/consumer/c2';
    [A, B, C, A, QUIET, B].forEach((topic, i) => outbox.entries.push({ id: `e${i + 1}`, topic, seq: i + 1, envelope: new Uint8Array([i + 1]) }));
    const FEED = 'cgw/v1/stations/GW';
    const sent: string[] = [];
    const pubsub: PubSubSink = {
      publish: async (topic, data) => {
        sent.push(topic === FEED ? `feed[${bundles.decode(data).envelopes.map((e) => e[0]).join(',')}]` : `${topic}#${data[0]}`);
      },
      getSubscribers: (topic) => ([FEED, A, C].includes(topic) ? ['wallet'] : []),
    };
    const publisher = new EventPublisher({ outbox, pubsub, maxPerSecond: 100_000, feed: { topic: FEED, carries: (t) => t.startsWith('cgw/v1/station/') }, log: silentLogger });
    try {
      publisher.nudge();
      await eventually(() => outbox.entries.length === 0, 5_000, 'the outbox drains');
      assert.deepEqual(sent, [`${A}#1`, `${C}#3`, `${A}#4`, 'feed[1,2,4,6]'], 'A on its own topic too; the consumer topic alone; the quiet one not at all');
      assert.deepEqual([publisher.count, publisher.unheardCount], [5, 1]);
      assert.deepEqual([A, B, C, QUIET].map((t) => publisher.follows(t)), [true, true, true, false], 'what the outbox queues: B through the feed');
    } finally {
      await publisher.stop(0);
    }
  });

  it('splits the feed into bundles of at most 64 KiB, and keeps an event whose bundle was not published for the next drain', async () => {
    const outbox = new ListOutbox();
    for (let i = 1; i <= 5; i++) outbox.entries.push({ id: `e${i}`, topic: `cgw/v1/station/S${i}`, seq: 1, envelope: new Uint8Array(30_000).fill(i) });
    const FEED = 'cgw/v1/stations/GW';
    const sizes: number[][] = [];
    let failOnce = true;
    const pubsub: PubSubSink = {
      publish: async (_topic, data) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('no peer reachable');
        }
        sizes.push(bundles.decode(data).envelopes.map((e) => e[0]!));
      },
      getSubscribers: (topic) => (topic === FEED ? ['wallet'] : []),
    };
    const publisher = new EventPublisher({ outbox, pubsub, maxPerSecond: 100_000, feed: { topic: FEED, carries: () => true }, log: silentLogger });
    try {
      publisher.nudge();
      await eventually(() => outbox.entries.length === 0, 5_000, 'the outbox drains after the failed publish');
      assert.deepEqual(sizes, [[1, 2], [3, 4], [5]], 'two of 30,000 bytes to a bundle, in order, the first again after its failure');
    } finally {
      await publisher.stop(0);
    }
  });
});
