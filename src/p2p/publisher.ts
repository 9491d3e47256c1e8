import type { Logger } from '../log/logger.ts';
import { codecFor } from '../proto/codec.ts';
import { SerialTask } from '../serial-task.ts';

const bundleCodec = codecFor('cgw.EventBundle');

/** The outbox as the publisher sees it (LevelDB, wired in gateway/). */
export interface OutboxSource {
  outboxEntries(limit: number): Promise<{ id: string; topic: string; seq: number; envelope: Uint8Array }[]>;
  removeOutbox(ids: string[]): Promise<void>;
}

export interface PubSubSink {
  publish(topic: string, data: Uint8Array): Promise<unknown>;
  /** The peers subscribed to the topic (gossipsub's own view). */
  getSubscribers(topic: string): unknown[];
}

/** A gateway's stations feed (stationsFeedTopic): the events of every station topic, bundled. */
export interface StationsFeed {
  topic: string;
  /** Whether an event of this topic goes on the feed (a station topic). */
  carries(topic: string): boolean;
}

export interface PublisherOptions {
  outbox: OutboxSource;
  pubsub: PubSubSink;
  /** Pace: gossipsub has no backpressure and drops a peer's link when flooded. */
  maxPerSecond: number;
  /** Where station events also go, several to a message, while a peer follows it. */
  feed?: StationsFeed;
  log: Logger;
}

const BATCH = 100;
// A safety net: normally `nudge` after each commit starts a drain at once.
const POLL_MS = 1000;
const PACE_SLEEP_MS = 4;
const PACE_CATCH_UP_MS = 50;
// A bundle stays far below gossipsub's message size limit (1 MiB by default).
const MAX_BUNDLE_BYTES = 64 * 1024;

/**
 * Publishes the outbox in order, paced, and removes each event once gossipsub took it (or
 * when no peer follows its topic).
 * After a restart it publishes what was left, byte for byte as signed before the crash.
 */
export class EventPublisher {
  private readonly opts: PublisherOptions;
  private readonly draining: SerialTask;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;
  private published = 0;
  private unheard = 0;

  constructor(opts: PublisherOptions) {
    this.opts = opts;
    this.draining = new SerialTask(() => this.drain(), (err) => opts.log.warn('publishing events failed; will retry', { err }));
    this.timer = setInterval(() => this.nudge(), POLL_MS);
    this.timer.unref();
  }

  get count(): number {
    return this.published;
  }

  /** Events no peer was subscribed to: kept in the archive for EventsRequest, not sent. */
  get unheardCount(): number {
    return this.unheard;
  }

  /**
   * Whether a connected peer hears an event of this topic: it follows the topic, or the
   * stations feed that carries it (gossipsub's own view). The outbox queues only those.
   */
  follows(topic: string): boolean {
    const feed = this.opts.feed;
    return this.subscribed(topic) || (feed !== undefined && feed.carries(topic) && this.subscribed(feed.topic));
  }

  private subscribed(topic: string): boolean {
    return this.opts.pubsub.getSubscribers(topic).length > 0;
  }

  /** There may be new events: drain now (or right after the drain under way). */
  nudge(): void {
    if (!this.stopped) this.draining.request();
  }

  /**
   * Publishes what the outbox holds (for at most `flushMs`), then stops; anything left stays
   * in the outbox and goes out after the next start.
   */
  async stop(flushMs = 5_000): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + flushMs;
    while (Date.now() < deadline && (await this.opts.outbox.outboxEntries(1)).length > 0) {
      this.nudge();
      await Promise.race([this.draining.current, new Promise((r) => setTimeout(r, 100))]);
    }
    this.stopped = true;
    await this.draining.current;
  }

  private async drain(): Promise<void> {
    const { outbox, pubsub, feed } = this.opts;
    const interval = 1000 / this.opts.maxPerSecond;
    // A schedule, not a sleep per event: timers are too coarse for the sub-millisecond gaps of
    // a pace above 1,000/s, so the publisher sleeps once it is ahead of the schedule. A slow
    // publish puts it behind; it may catch up by at most PACE_CATCH_UP_MS worth of events.
    // An event counts once towards the pace, alone or in a bundle.
    let due = performance.now();
    const paced = async (events: number): Promise<void> => {
      const now = performance.now();
      due = Math.max(due, now - PACE_CATCH_UP_MS) + interval * events;
      if (due - now >= PACE_SLEEP_MS) await new Promise((r) => setTimeout(r, due - now));
    };
    for (;;) {
      const entries = await outbox.outboxEntries(BATCH);
      if (!entries.length || this.stopped) return;
      const done: string[] = [];
      // The feed's events of this batch: each leaves the outbox once its bundle is published.
      const feedFollowed = feed !== undefined && this.subscribed(feed.topic);
      let bundle: { id: string; envelope: Uint8Array }[] = [];
      let bundleBytes = 0;
      const publishBundle = async (): Promise<void> => {
        const events = bundle;
        bundle = [];
        bundleBytes = 0;
        await pubsub.publish(feed!.topic, bundleCodec.encode({ envelopes: events.map((e) => e.envelope) }));
        done.push(...events.map((e) => e.id));
        this.published += events.length;
        await paced(events.length);
      };
      try {
        for (const entry of entries) {
          if (this.stopped) break;
          const onFeed = feedFollowed && feed.carries(entry.topic);
          const onTopic = this.subscribed(entry.topic);
          if (onTopic) await pubsub.publish(entry.topic, entry.envelope);
          if (onFeed) {
            if (bundle.length && bundleBytes + entry.envelope.length > MAX_BUNDLE_BYTES) await publishBundle();
            bundle.push(entry);
            bundleBytes += entry.envelope.length;
            continue;
          }
          done.push(entry.id);
          if (onTopic) {
            this.published++;
            await paced(1);
          } else {
            // No peer follows the topic (nor the feed that carries it): publishing would only
            // build and sign a gossipsub message nobody receives. A wallet that subscribes later
            // fetches it (EventsRequest), as the SDK does for every topic it follows.
            this.unheard++;
          }
        }
        if (bundle.length) await publishBundle();
      } finally {
        if (done.length) await outbox.removeOutbox(done);
      }
      // Less than a batch: the outbox held no more when read, and every commit since nudges
      // for another drain (no read that finds it empty, one per drain under load).
      if (entries.length < BATCH) return;
    }
  }
}
