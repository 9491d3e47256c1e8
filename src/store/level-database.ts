import { Level } from 'level';
import { CodedError } from '../coded-error.ts';
import { TurnBatch } from '../turn-batch.ts';

export type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };
export type KeyRange = { gt?: string; gte?: string; lt?: string; limit?: number; reverse?: boolean };

export const EMPTY = new Uint8Array(0);
const text = new TextEncoder();
const utf8 = new TextDecoder();
export const encodeText = (value: string): Uint8Array => text.encode(value);
export const decodeText = (value: Uint8Array): string => utf8.decode(value);
// Written and deleted to see whether storage works again after a failure.
const PROBE_KEY = 'zz:probe';
// Above every key the node writes (all are lower-case prefixes), the probe's included: a range
// no table ever holds.
const NEVER_WRITTEN = '~';
// LevelDB compacts level 0 once it holds 4 tables: a flush that would make the 4th is left out.
const LEVEL0_TABLES_BEFORE_COMPACTION = 4;

/**
 * A write to the data folder failed (disk full, read-only, I/O error). LevelDB refuses every
 * later write once one failed, so the node stops taking work that it could not keep.
 */
export class StorageError extends CodedError<'StorageUnavailable'> {
  /** The write may be stored after all (the port's contract: commitMayHaveLanded). */
  readonly mayHaveLanded: boolean;

  constructor(message: string, options?: { cause: unknown; mayHaveLanded?: boolean }) {
    super('StorageUnavailable', message);
    if (options) this.cause = options.cause;
    this.mayHaveLanded = options?.mayHaveLanded ?? false;
  }
}

export interface LevelStoreOptions {
  /** fsync every commit: survives power loss, not only a process crash. */
  sync: boolean;
  /** Files LevelDB may keep open (the node keeps descriptors for it; see gateway/descriptors.ts). */
  maxOpenFiles?: number;
  /** Bytes of writes LevelDB keeps in memory before writing them out as a table (its default: 4 MiB). */
  writeBufferBytes?: number;
}

/**
 * The one LevelDB every repository reads and writes: its failure state (one failed write
 * refuses every later one until recovered) and the group commit that puts the changes of one
 * event-loop turn into one atomic batch.
 */
export class LevelDatabase {
  private readonly db: Level<string, Uint8Array>;
  private readonly sync: boolean;
  // Batches from the same event-loop turn, written as one.
  private readonly grouped = new TurnBatch<BatchOp[], void>(async (groups) => {
    await this.write(groups.length === 1 ? groups[0]! : groups.flat());
    return groups.map(() => undefined);
  });
  private failure: StorageError | undefined;
  private recovering = false;
  private readonly failureListeners: ((err: StorageError) => void)[] = [];
  private readonly openListeners: (() => Promise<void>)[] = [];

  private constructor(db: Level<string, Uint8Array>, sync: boolean) {
    this.db = db;
    this.sync = sync;
  }

  static async open(location: string, options: LevelStoreOptions = { sync: false }): Promise<LevelDatabase> {
    const db = new Level<string, Uint8Array>(location, {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
      ...(options.maxOpenFiles ? { maxOpenFiles: options.maxOpenFiles } : {}),
      ...(options.writeBufferBytes ? { writeBufferSize: options.writeBufferBytes } : {}),
    });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? '';
      // LevelDB names the LOCK file in every open error; only these say another process holds it.
      const locked = /Resource temporarily unavailable|already held by process/i.test(cause);
      throw new Error(locked
        ? `the data folder ${location} is in use by another process (LevelDB lock held)`
        : `cannot open the data folder ${location}: ${cause || (err as Error).message}`, { cause: err });
    }
    return new LevelDatabase(db, options.sync);
  }

  /**
   * Runs `load` now and again after every reopen: for a repository that keeps a counter
   * derived from what is stored (the next outbox id).
   */
  async whenOpened(load: () => Promise<void>): Promise<void> {
    this.openListeners.push(load);
    await load();
  }

  /**
   * Reads one record, on the calling thread while the database is open: an asynchronous get
   * hands each read to libuv's thread pool and back, 12-21 µs of this thread's time and ~40 µs
   * of CPU in all per read on this machine, against ~1 µs for the read itself from LevelDB's
   * memtable and caches (BENCHMARKS.md, "What LevelDB costs per operation"). A read that must
   * go to disk holds the event loop for that read (on slow or network storage, every station
   * waits for it); the
   * records read on the message path (a start's replay key, a finished transaction) are small
   * and mostly absent, which LevelDB's bloom filters answer from memory. While storage is
   * opening (reopened after a failure) the read waits for it; while closing it is refused.
   */
  get(key: string): Promise<Uint8Array | undefined> {
    if (this.db.status !== 'open') return this.db.get(key);
    try {
      return Promise.resolve(this.db.getSync(key));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  values(range: KeyRange): AsyncIterable<Uint8Array> {
    return this.db.values(range);
  }

  keys(range: KeyRange): AsyncIterable<string> {
    return this.db.keys(range);
  }

  entries(range: KeyRange): AsyncIterable<[string, Uint8Array]> {
    return this.db.iterator(range);
  }

  /** Deletes a key range (not atomic with anything else: callers order their clears so a crash half way can be redone). */
  async clear(range: KeyRange): Promise<void> {
    if (this.failure) throw this.failure;
    await this.db.clear(range).catch((err: unknown) => { throw this.failed(err); });
  }

  /** The first failed write, if any: from then on every write is refused with it. */
  get writeFailure(): StorageError | undefined {
    return this.failure;
  }

  /** Called once per failure: when the first write fails (again after a recovery). */
  onWriteFailure(listener: (err: StorageError) => void): void {
    this.failureListeners.push(listener);
  }

  /** Every write goes through here, so one failure is seen, named and reported once. */
  async write(ops: BatchOp[]): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.db.batch(ops, { sync: this.sync });
    } catch (err) {
      const failure = this.failed(err);
      // With fsync, LevelDB reports a failed flush after the batch is in its log, and a reopen
      // may replay it; without, a failed write leaves no whole record in the log.
      throw this.sync ? new StorageError(failure.message, { cause: err, mayHaveLanded: true }) : failure;
    }
  }

  /**
   * Writes `ops` atomically. Batches from the same event-loop turn share one LevelDB batch
   * (still atomic as a whole), which amortises the write cost over every station that is
   * busy at the same time; each caller's promise resolves only once its ops are written.
   */
  writeGrouped(ops: BatchOp[]): Promise<void> {
    return this.grouped.add(ops);
  }

  private failed(err: unknown): StorageError {
    if (this.failure) return this.failure;
    const cause = (err as { cause?: { message?: string } }).cause?.message || (err as Error).message;
    this.failure = new StorageError(`writing to the data folder failed (${cause}); nothing is accepted until writes succeed again (the node retries by itself)`, { cause: err });
    for (const listener of this.failureListeners) listener(this.failure);
    return this.failure;
  }

  /**
   * After a failed write: reopens LevelDB (which refuses every write once one failed) and
   * tries a synced write. True when storage works again (the failure is cleared); false when
   * it still does not (no space, no descriptors), to be tried again later.
   */
  async recover(): Promise<boolean> {
    if (!this.failure) return true;
    if (this.recovering) return false;
    this.recovering = true;
    try {
      return await this.reopen();
    } finally {
      this.recovering = false;
    }
  }

  private async reopen(): Promise<boolean> {
    try {
      await this.db.close();
    } catch {
      // Closing a database in trouble may fail; opening it again is what counts.
    }
    try {
      await this.db.open();
      await this.db.batch([{ type: 'put', key: PROBE_KEY, value: EMPTY }, { type: 'del', key: PROBE_KEY }], { sync: true });
      for (const load of this.openListeners) await load();
    } catch {
      return false;
    }
    this.failure = undefined;
    return true;
  }

  async close(): Promise<void> {
    // Let a scheduled group commit finish first: its callers are waiting to answer stations.
    while (this.grouped.busy) await new Promise((r) => setImmediate(r));
    // The write buffer goes out as a table first, so that the next start has no log of up to
    // the buffer's size to read back (30 MiB of rewritten states: 0.27 s at open, against 0.01 s
    // for a flushed folder). Best effort: what is in the log is kept either way (LevelDB does not
    // report a failed flush here; the next start reads the log back).
    if (this.db.status === 'open' && !this.failure) await this.flushBuffer().catch(() => {});
    await this.db.close();
  }

  /**
   * LevelDB writes its in-memory buffer out as a table before it compacts a range, and a range
   * no table holds is then compacted at no cost. Not when that table would set off a compaction
   * of level 0: LevelDB would finish it before closing (up to a second here), where closing
   * without the flush stops it. The `level` package's type leaves these methods out; on Node.js
   * its database is classic-level's, which has them.
   */
  private async flushBuffer(): Promise<void> {
    const db = this.db as unknown as { compactRange(start: string, end: string): Promise<void>; getProperty(name: string): string };
    if (Number(db.getProperty('leveldb.num-files-at-level0')) + 1 >= LEVEL0_TABLES_BEFORE_COMPACTION) return;
    await db.compactRange(NEVER_WRITTEN, NEVER_WRITTEN);
  }
}
