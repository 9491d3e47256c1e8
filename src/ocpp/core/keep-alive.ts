/** A connection the keep-alive serves: told once per interval to check its last ping and ping again. */
export interface KeptAlive {
  keepAliveTick(): void;
}

const SLOTS = 16;

/**
 * One timer for the pings of every connection: the connections are spread over 16 slots, one
 * slot served per sixteenth of the interval, so each connection is served once per interval.
 * A new connection joins the emptiest slot, so even stations that all reconnect at once are
 * pinged over the whole interval, not in one turn. (A timer per connection held about 200
 * bytes of every idle station's memory.) A connection's first turn only pings it (a new one
 * counts as alive), so a half-open socket is still dropped only after a whole interval.
 */
export class KeepAlive<C extends KeptAlive> {
  private readonly intervalMs: number;
  private readonly slots: Set<C>[] = Array.from({ length: SLOTS }, () => new Set<C>());
  private next = 0;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** How many connections are served. */
  get size(): number {
    return this.count;
  }

  add(connection: C): void {
    if (this.intervalMs <= 0 || this.slots.some((slot) => slot.has(connection))) return;
    let emptiest = this.slots[0]!;
    for (const slot of this.slots) if (slot.size < emptiest.size) emptiest = slot;
    emptiest.add(connection);
    this.count++;
    this.timer ??= setInterval(() => this.tick(), this.intervalMs / SLOTS).unref();
  }

  remove(connection: C): void {
    for (const slot of this.slots) {
      if (slot.delete(connection)) {
        this.count--;
        break;
      }
    }
    if (this.count === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const slot = this.slots[this.next]!;
    this.next = (this.next + 1) % SLOTS;
    for (const connection of slot) connection.keepAliveTick();
  }
}
