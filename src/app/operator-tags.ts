import { tagDecision } from '../domain/authorization.ts';
import type { ChargePointService } from '../domain/charge-point-service.ts';
import type { TagRecords } from '../domain/ports.ts';
import { listChanged } from '../domain/sessions.ts';
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

/** A card of an import that was not taken, by its line (1: the first data line). */
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
  private readonly cards = new Map<string, OperatorTag>();

  constructor(opts: OperatorTagsOptions) {
    this.opts = opts;
  }

  /** Reads the cards from storage (before stations are served). */
  async load(): Promise<number> {
    for (const tag of await this.opts.records.all()) this.cards.set(tag.idTag, tag);
    return this.cards.size;
  }

  /** The card of an idTag (for authorization, under the station lock: no I/O). */
  readonly lookup = (idTag: string): OperatorTag | undefined => this.cards.get(idTag);

  list(): OperatorTag[] {
    return [...this.cards.values()].sort((a, b) => (a.idTag < b.idTag ? -1 : 1));
  }

  get(idTag: string): OperatorTag {
    const tag = this.cards.get(idTag);
    if (!tag) throw new BridgeError('NotFound', `no card ${idTag}`);
    return tag;
  }

  /** Every card as a local list entry, as a station should hold it now (for full lists). */
  entries(): LocalListEntry[] {
    const now = this.opts.now();
    return this.list().map((tag) => entryOf(tag, now));
  }

  /** Adds a card or changes one. */
  async set(idTag: string, change: TagChange): Promise<OperatorTag> {
    const tag = changedTag(idTag, this.cards.get(idTag), change, this.opts.now());
    await this.opts.records.update([tag], []);
    this.cards.set(tag.idTag, tag);
    await this.propagate([entryOf(tag, this.opts.now())]);
    return tag;
  }

  async remove(idTag: string): Promise<void> {
    this.get(idTag);
    await this.opts.records.update([], [idTag]);
    this.cards.delete(idTag);
    await this.propagate([{ idTag, card: true }]);
  }

  /** Adds or changes many cards at once: the good ones are taken, each bad one is named. */
  async import(rows: ({ idTag: string } & TagChange)[]): Promise<{ imported: number; problems: ImportProblem[] }> {
    const good: OperatorTag[] = [];
    const problems: ImportProblem[] = [];
    for (const [i, { idTag, ...change }] of rows.entries()) {
      try {
        good.push(changedTag(idTag, this.cards.get(idTag), change, this.opts.now()));
      } catch (err) {
        if (!(err instanceof InvalidTagError)) throw err;
        problems.push({ line: i + 1, field: err.field, error: err.message });
      }
    }
    if (good.length) {
      await this.opts.records.update(good, []);
      for (const tag of good) this.cards.set(tag.idTag, tag);
      await this.propagate(good.map((tag) => entryOf(tag, this.opts.now())));
    }
    return { imported: good.length, problems };
  }

  /** Tells every station: each list is marked behind ours, and connected stations get the change now. */
  private async propagate(entries: LocalListEntry[]): Promise<void> {
    for (const identity of this.opts.service.identities()) {
      try {
        await this.opts.service.update(identity, ({ state }) => {
          for (let i = 0; i < entries.length; i++) listChanged(state);
        });
        if (this.opts.commands.isConnected(identity)) await this.opts.localList.apply(identity, entries);
      } catch (err) {
        // Its list stays marked: the next reconciliation sends it whole.
        this.opts.log.warn('card change not on the station yet', { station: identity, err });
      }
    }
  }
}

function entryOf(tag: OperatorTag, now: Date): LocalListEntry {
  const decision = tagDecision(tag, now);
  return { idTag: tag.idTag, card: true, status: decision.status === 'ConcurrentTx' ? 'Accepted' : decision.status, ...(tag.expiryDate ? { expiryDate: tag.expiryDate } : {}) };
}
