import type { Logger } from '../log/logger.ts';
import { SerialTask } from '../serial-task.ts';

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

export interface PublisherOptions {
  outbox: OutboxSource;
  pubsub: PubSubSink;
  /** Pace: gossipsub has no backpressure and drops a peer's link when flooded. */
  maxPerSecond: number;
  log: Logger;
}

const BATCH = 100;
// A safety net: normally `nudge` after each commit starts a drain at once.
const POLL_MS = 1000;
const PACE_SLEEP_MS = 4;
const PACE_CATCH_UP_MS = 50;

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
    const interval = 1000 / this.opts.maxPerSecond;
    // A schedule, not a sleep per event: timers are too coarse for the sub-millisecond gaps of
    // a pace above 1,000/s, so the publisher sleeps once it is ahead of the schedule. A slow
    // publish puts it behind; it may catch up by at most PACE_CATCH_UP_MS worth of events.
    let due = performance.now();
    for (;;) {
      const entries = await this.opts.outbox.outboxEntries(BATCH);
      if (!entries.length || this.stopped) return;
      const done: string[] = [];
      try {
        for (const entry of entries) {
          if (this.stopped) break;
          // No peer follows the topic: publishing would only build and sign a gossipsub message
          // nobody receives. A wallet that subscribes later fetches it (EventsRequest), as the
          // SDK does for every topic it follows.
          if (!this.opts.pubsub.getSubscribers(entry.topic).length) {
            done.push(entry.id);
            this.unheard++;
            continue;
          }
          await this.opts.pubsub.publish(entry.topic, entry.envelope);
          done.push(entry.id);
          this.published++;
          const now = performance.now();
          due = Math.max(due, now - PACE_CATCH_UP_MS) + interval;
          if (due - now >= PACE_SLEEP_MS) await new Promise((r) => setTimeout(r, due - now));
        }
      } finally {
        if (done.length) await this.opts.outbox.removeOutbox(done);
      }
      // Less than a batch: the outbox held no more when read, and every commit since nudges
      // for another drain (no read that finds it empty, one per drain under load).
      if (entries.length < BATCH) return;
    }
  }
}
