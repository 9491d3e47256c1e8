/** A connection the keep-alive serves: told once per interval to check its last ping and ping again. */
export interface KeptAlive {
  keepAliveTick(): void;
}

const SLOTS = 16;

/**
 * One timer for the pings of every connection: the connections are spread over 16 slots, one
 * slot served per sixteenth of the interval, so each connection is served once per interval
 * and the pings of many stations do not all leave in the same turn. (A timer per connection
 * held about 200 bytes of every idle station's memory.)
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

  /** Served from a whole interval on (it joins the slot served last). */
  add(connection: C): void {
    if (this.intervalMs <= 0) return;
    const slot = this.slots[(this.next + SLOTS - 1) % SLOTS]!;
    if (slot.has(connection)) return;
    slot.add(connection);
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
