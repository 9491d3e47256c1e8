/**
 * Announces stations on the DHT a few at a time. A DHT provide is a network query that can take
 * its whole timeout when peers are few; thousands of stations connecting at once (a restart,
 * the periodic re-announcement) must not start thousands of queries together, each holding
 * memory and sockets. Identities waiting are kept once, in arrival order.
 */
export class StationAnnouncer {
  private readonly waiting = new Set<string>();
  private running = 0;
  private stopped = false;

  private readonly provide: (identity: string, signal: AbortSignal) => Promise<void>;
  private readonly opts: { concurrency: number; timeoutMs: number; onError: (identity: string, err: unknown) => void };

  constructor(provide: StationAnnouncer['provide'], opts: StationAnnouncer['opts']) {
    this.provide = provide;
    this.opts = opts;
  }

  announce(identity: string): void {
    if (this.stopped) return;
    this.waiting.add(identity);
    this.next();
  }

  /** How many announcements wait for a free slot. */
  get backlog(): number {
    return this.waiting.size;
  }

  stop(): void {
    this.stopped = true;
    this.waiting.clear();
  }

  private next(): void {
    while (!this.stopped && this.running < this.opts.concurrency && this.waiting.size > 0) {
      const identity = this.waiting.values().next().value as string;
      this.waiting.delete(identity);
      this.running++;
      this.provide(identity, AbortSignal.timeout(this.opts.timeoutMs))
        .catch((err: unknown) => this.opts.onError(identity, err))
        .finally(() => {
          this.running--;
          this.next();
        });
    }
  }
}
