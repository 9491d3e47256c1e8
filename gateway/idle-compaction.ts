import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from '../src/log/logger.ts';

const MiB = 1024 * 1024;

/** What one check finds about the process since the check before. */
export interface MemoryReading {
  /** Share of the interval the event loop was busy, 0 to 1. */
  busy: number;
  /** Bytes V8 holds for its heap, and bytes of it in use (live and not yet collected). */
  committed: number;
  used: number;
}

/**
 * A burst (10,000 stations reconnecting after a restart, a flood of messages) leaves V8's heap
 * holding far more than it uses: the young generation grown to the node's
 * --max-semi-space-size, old-space pages half empty. V8's ordinary collections keep those pages,
 * and its own memory reducer did not run on a node with stations connected (45 s after a burst
 * of 10,000 connections the heap still held 100 MB more than it used; BENCHMARKS.md).
 * So the node compacts itself once it is quiet: the event loop busy less than `quietBelow` of
 * each of the last two intervals (the tail of a burst is not quiet yet), the heap holding at
 * least `spareBytes` more than it uses, and grown by as much again since the last compaction
 * left it (a heap that stays fragmented is not compacted over and over). After a compaction the
 * next waits `checksBetween` checks; twice as many each time the node needs one again without
 * having been busy in between (the garbage of a steady light load, not a burst's), up to
 * `maxChecksBetween`.
 */
export const IDLE_COMPACTION_RULES = { quietBelow: 0.1, spareBytes: 64 * MiB, checksBetween: 10, maxChecksBetween: 640 } as const;

/** Whether the heap holds enough spare, grown since the last compaction, to be worth a pause. */
export function worthCompacting(r: MemoryReading, committedAfterLast: number): boolean {
  const { spareBytes } = IDLE_COMPACTION_RULES;
  return r.committed - r.used >= spareBytes && r.committed - committedAfterLast >= spareBytes;
}

/** A full collection that compacts the heap and hands free pages back to the system. */
export type CompactingCollection = () => void;

/**
 * V8's memory-reducing collection (the one it runs itself before giving up on memory), reached
 * through the `gc` function the --expose-gc flag of gateway/node-flags.js installs; undefined
 * when the node runs without that flag.
 */
export function compactingCollection(): CompactingCollection | undefined {
  const gc: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') return undefined;
  return () => (gc as (options: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/** Reads the process: the event loop's busy share since the last read, and the heap. */
export function readProcess(): () => MemoryReading {
  let before = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, before).utilization;
    before = now;
    const heap = getHeapStatistics();
    return { busy, committed: heap.total_heap_size, used: heap.used_heap_size };
  };
}

export interface IdleCompactionOptions {
  collect: CompactingCollection;
  log: Logger;
  /** The process's figures since the last call (tests give their own). */
  read?: () => MemoryReading;
}

/** Checks the process when called (every few seconds) and compacts the heap when the rules say so. */
export class IdleCompaction {
  /** Compactions since the node started (the metric cgw_memory_compactions_total). */
  count = 0;
  private committedAfterLast = 0;
  private gap: number = IDLE_COMPACTION_RULES.checksBetween;
  private checksSinceLast: number = IDLE_COMPACTION_RULES.checksBetween;
  private quietChecks = 0;
  private busySinceLast = false;
  private readonly collect: CompactingCollection;
  private readonly log: Logger;
  private readonly read: () => MemoryReading;

  constructor(o: IdleCompactionOptions) {
    this.collect = o.collect;
    this.log = o.log;
    this.read = o.read ?? readProcess();
  }

  check(): void {
    const reading = this.read();
    this.checksSinceLast++;
    if (reading.busy >= IDLE_COMPACTION_RULES.quietBelow) {
      this.busySinceLast = true;
      this.quietChecks = 0;
      return;
    }
    this.quietChecks++;
    // After a burst (a busy check since the last compaction) the short wait applies again.
    const gap = this.busySinceLast ? IDLE_COMPACTION_RULES.checksBetween : this.gap;
    if (this.quietChecks < 2 || this.checksSinceLast < gap || !worthCompacting(reading, this.committedAfterLast)) return;
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    this.collect();
    const pauseMs = Math.round(performance.now() - started);
    // Read again: the heap it left, and the next interval's busy share starts after the pause.
    const after = this.read().committed;
    this.committedAfterLast = after;
    this.checksSinceLast = 0;
    this.gap = this.busySinceLast ? IDLE_COMPACTION_RULES.checksBetween : Math.min(this.gap * 2, IDLE_COMPACTION_RULES.maxChecksBetween);
    this.busySinceLast = false;
    this.count++;
    this.log.info('memory compacted while quiet', {
      heapBeforeMiB: mb(reading.committed), heapAfterMiB: mb(after), heapUsedMiB: mb(reading.used),
      rssBeforeMiB: mb(rssBefore), rssAfterMiB: mb(process.memoryUsage.rss()), pauseMs, nextAfterChecks: this.gap,
    });
  }
}

const mb = (bytes: number): number => Math.round(bytes / MiB);
