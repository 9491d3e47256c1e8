/**
 * The node's time. Every part that decides by time (expiry, timeouts, timestamps it writes)
 * reads this one clock, so a test can move time forward instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
