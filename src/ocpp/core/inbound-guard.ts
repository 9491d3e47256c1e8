/** What one station may send: a message rate with a burst, and how many bad messages a minute. */
export interface InboundLimits {
  messagesPerSecond: number;
  burst: number;
  /** Malformed or refused-as-invalid messages per minute before the connection is closed; 0: no limit. */
  badMessagesPerMinute: number;
}

const MINUTE_MS = 60_000;

/**
 * The per-connection limits. The rate is a token bucket that slows a station down instead of
 * refusing it: the connection stops reading the socket until a token is free, so a flooding
 * station fills its own TCP buffers, nothing it sent is dropped, and the other stations are
 * served meanwhile. Bad messages are counted per minute; past the limit the station is cut off.
 */
export class InboundGuard {
  private readonly limits: InboundLimits;
  private tokens: number;
  private refilledAt: number;
  private bad = 0;
  private badWindowStart = 0;

  constructor(limits: InboundLimits, now = Date.now()) {
    this.limits = limits;
    this.tokens = limits.burst;
    this.refilledAt = now;
  }

  /** Takes a token for one message: 0 when it may be handled now, else the milliseconds to wait. */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limits.messagesPerSecond);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limits.messagesPerSecond) * 1000);
  }

  /** Counts a bad message; true when the station is past its limit for this minute. */
  badMessage(now = Date.now()): boolean {
    if (this.limits.badMessagesPerMinute <= 0) return false;
    if (now - this.badWindowStart >= MINUTE_MS) {
      this.badWindowStart = now;
      this.bad = 0;
    }
    return ++this.bad > this.limits.badMessagesPerMinute;
  }
}
