/**
 * Hands each watched connection to `due` once `deadlineMs` has passed since it was watched
 * (within a tick after; on the monotonic clock), unless it was dropped first. One timer serves every connection: a
 * timer and closure per connection held about 250 bytes of each new station's memory for the
 * whole deadline.
 */
export class BootDeadline<C> {
  private readonly deadlineMs: number;
  private readonly tickMs: number;
  private readonly due: (connection: C, elapsedMs: number) => void;
  // In the order watched, which is the order due (Map keeps insertion order).
  private readonly watched = new Map<C, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(deadlineMs: number, due: (connection: C, elapsedMs: number) => void, tickMs = 1_000) {
    this.deadlineMs = deadlineMs;
    this.tickMs = Math.min(tickMs, deadlineMs);
    this.due = due;
  }

  watch(connection: C): void {
    this.watched.delete(connection);
    this.watched.set(connection, performance.now());
    this.timer ??= setInterval(() => this.sweep(), this.tickMs).unref();
  }

  /** No longer watched (it closed): `due` is not called for it. */
  drop(connection: C): void {
    this.watched.delete(connection);
    if (!this.watched.size) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    for (const [connection, watchedAt] of this.watched) {
      if (now - watchedAt < this.deadlineMs) break;
      this.watched.delete(connection);
      this.due(connection, now - watchedAt);
    }
    if (!this.watched.size) this.stop();
  }
}
