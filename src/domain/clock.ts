/**
 * The node's time. Every part that decides by time (expiry, timeouts, timestamps it writes)
 * reads this one clock, so a test can move time forward instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// The ISO text of the last instant written: a busy node handles many station messages within
// one millisecond, and each wrote the time about three times (a few percent of its CPU).
let lastMs = Number.NaN;
let lastIso = '';

/** `date.toISOString()`, remembered for the last millisecond asked. */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastIso = date.toISOString();
    lastMs = ms;
  }
  return lastIso;
}
