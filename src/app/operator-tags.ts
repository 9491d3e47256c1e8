import { tagDecision } from '../domain/authorization.ts';
import type { ChargePointService } from '../domain/charge-point-service.ts';
import type { TagRecords } from '../domain/ports.ts';
import { changedTag, InvalidTagError, type OperatorTag, type TagChange } from '../domain/tags.ts';
import type { Logger } from '../log/logger.ts';
import { BridgeError } from './bridge-error.ts';
import type { LocalListSync } from './local-list-sync.ts';
import type { LocalListEntry, StationLinks } from './station-link.ts';

export interface OperatorTagsOptions {
  records: TagRecords;
  service: ChargePointService;
  localList: LocalListSync;
  commands: StationLinks;
  now: () => Date;
  log: Logger;
}

/** A line of an import that was not taken (its line in the file). */
export interface ImportProblem {
  line: number;
  field: string;
  error: string;
}

/**
 * The operator's cards (RFID idTags): kept node-wide, answered by every station's Authorize and
 * starts, and put on every station's local list beside the consumers' tags. A change reaches
 * connected stations at once (a differential update); a station that is offline, or refuses,
 * gets the whole list when it is next reconciled (its list is marked behind ours).
 */
export class OperatorTags {
  private readonly opts: OperatorTagsOptions;
  // By idTag in upper case: OCPP idTags are case-insensitive (CiString), so ab12 is AB12's card.
  private readonly cards = new Map<string, OperatorTag>();
  // Changes one at a time: each starts from what the one before left, in storage and here.
  private last: Promise<unknown> = Promise.resolve();

  constructor(opts: OperatorTagsOptions) {
    this.opts = opts;
  }

  /** Reads the cards from storage (before stations are served). */
  async load(): Promise<number> {
    for (const tag of await this.opts.records.all()) this.cards.set(tag.idTag.toUpperCase(), tag);
    return this.cards.size;
  }

  /** The card of an idTag (for authorization, under the station lock: no I/O). */
  readonly lookup = (idTag: string): OperatorTag | undefined => this.cards.get(idTag.toUpperCase());

  list(): OperatorTag[] {
    return [...this.cards.values()].sort((a, b) => (a.idTag < b.idTag ? -1 : 1));
  }

  get(idTag: string): OperatorTag {
    const tag = this.lookup(idTag);
    if (!tag) throw new BridgeError('NotFound', `no card ${idTag}`);
    return tag;
  }

  /** Every card as a local list entry, as a station should hold it now (for full lists). */
  entries(): LocalListEntry[] {
    const now = this.opts.now();
    return this.list().map((tag) => entryOf(tag, now));
  }

  /** Adds a card or changes one (`created`: it is new). */
  set(idTag: string, change: TagChange): Promise<{ tag: OperatorTag; created: boolean }> {
    return this.serial(async () => {
      const before = this.lookup(idTag);
      const tag = changedTag(before?.idTag ?? idTag, before, change, this.opts.now());
      await this.opts.records.update([tag], []);
      this.cards.set(tag.idTag.toUpperCase(), tag);
      this.propagate([entryOf(tag, this.opts.now())]);
      return { tag, created: !before };
    });
  }

  remove(idTag: string): Promise<void> {
    return this.serial(async () => {
      const tag = this.get(idTag);
      await this.opts.records.update([], [tag.idTag]);
      this.cards.delete(tag.idTag.toUpperCase());
      this.propagate([{ idTag: tag.idTag, card: true }]);
    });
  }

  /** Adds or changes many cards at once: the good ones are taken, each bad one named by its line. */
  import(rows: ({ line: number; idTag: string } & TagChange)[]): Promise<{ imported: number; problems: ImportProblem[] }> {
    return this.serial(async () => {
      const good = new Map<string, OperatorTag>();
      const problems: ImportProblem[] = [];
      for (const { line, idTag, ...change } of rows) {
        try {
          const before = good.get(idTag.toUpperCase()) ?? this.lookup(idTag);
          const tag = changedTag(before?.idTag ?? idTag, before, change, this.opts.now());
          good.set(tag.idTag.toUpperCase(), tag);
        } catch (err) {
          if (!(err instanceof InvalidTagError)) throw err;
          problems.push({ line, field: err.field, error: err.message });
        }
      }
      if (good.size) {
        await this.opts.records.update([...good.values()], []);
        for (const [key, tag] of good) this.cards.set(key, tag);
        this.propagate([...good.values()].map((tag) => entryOf(tag, this.opts.now())));
      }
      return { imported: good.size, problems };
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.last.then(task);
    this.last = run.catch(() => {});
    return run;
  }

  /**
   * Tells every station, in the background: each list is marked behind ours, and a connected
   * station gets the change (in its list's queue, so no full list in flight can hide it).
   */
  private propagate(entries: LocalListEntry[]): void {
    for (const identity of this.opts.service.identities()) {
      this.opts.localList.changed(identity, entries).catch((err: unknown) => {
        // Its list stays marked: the next reconciliation sends it whole.
        this.opts.log.warn('card change not on the station yet', { station: identity, err });
      });
    }
  }
}

function entryOf(tag: OperatorTag, now: Date): LocalListEntry {
  const decision = tagDecision(tag, now);
  return { idTag: tag.idTag, card: true, status: decision.status === 'ConcurrentTx' ? 'Accepted' : decision.status, ...(tag.expiryDate ? { expiryDate: tag.expiryDate } : {}) };
}
