// The publisher against the outbox: every event leaves it once, in order; an event on a topic
// no peer follows is not built into a gossipsub message (its signature was the largest cost of
// publishing) but stays in the archive for the wallets that ask for it later.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventPublisher, type OutboxSource, type PubSubSink } from '../../../src/p2p/publisher.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { eventually } from '../../helpers/wait.ts';

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
});
