import type { Clock } from '../../src/domain/clock.ts';

/** Real time plus whatever the test moved it forward by: timers still run, deadlines pass at once. */
export class MovableClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
