import type { ChargePointService } from '../domain/charge-point-service.ts';
import { KeyedQueue } from '../domain/keyed-queue.ts';
import type { ChargePointState } from '../domain/model.ts';
import { listChanged, listConfirmed } from '../domain/sessions.ts';
import type { Logger } from '../log/logger.ts';
import type { ListUpdateStatus, LocalListEntry, StationLink, StationLinks } from './station-link.ts';

export interface LocalListSyncOptions {
  service: ChargePointService;
  commands: StationLinks;
  /** Entries per message when the station does not report its maximum. */
  defaultMaxLength: number;
  log: Logger;
  now?: () => Date;
  /** Entries every station holds besides its consumers' (the operator's cards). */
  operatorEntries?: () => LocalListEntry[];
}

/** Our copy of the station's list: every entry that has not expired. */
export function entriesOf(state: ChargePointState, now: Date): LocalListEntry[] {
  const out: LocalListEntry[] = [];
  for (const [idTag, entry] of Object.entries(state.authList)) {
    const info = entry.authData?.idTagInfo;
    if (!info || (info.expiryDate && Date.parse(info.expiryDate) <= now.getTime())) continue;
    out.push({ idTag, status: (info.status || 'Accepted') as LocalListEntry['status'], ...(info.expiryDate ? { expiryDate: info.expiryDate } : {}) });
  }
  return out;
}

/**
 * Keeps each station's local authorization list equal to the auth list in its state:
 * Differential updates for changes, the stored version bumped only on Accepted, a Full
 * resync after VersionMismatch/Failed or when GetLocalListVersion disagrees after a
 * (re)connect, and long lists split by the station's maximum per message. One update
 * runs at a time per station, so versions never race.
 */
export class LocalListSync {
  private readonly opts: LocalListSyncOptions;
  private readonly queue = new KeyedQueue();
  // Per connection: a reconnected station may report another maximum.
  private readonly maxLengths = new WeakMap<StationLink, number>();

  constructor(opts: LocalListSyncOptions) {
    this.opts = opts;
  }

  /** Adds (entries with a status) or removes (without) idTags on the station. */
  apply(identity: string, entries: LocalListEntry[]): Promise<ListUpdateStatus> {
    return this.queued(identity, () => this.differential(identity, entries));
  }

  /**
   * Entries every station holds changed (the operator's cards): the station's list is marked
   * behind ours and, when it is connected, gets the change. In the station's queue, so a full
   * list already on its way cannot mark the station in sync without this change.
   */
  changed(identity: string, entries: LocalListEntry[]): Promise<ListUpdateStatus | 'Offline' | 'Unknown'> {
    return this.queued(identity, async () => {
      if (!(await this.opts.service.state(identity))) return 'Unknown';
      await this.opts.service.update(identity, ({ state }) => {
        for (let i = 0; i < entries.length; i++) listChanged(state);
      });
      if (!this.opts.commands.isConnected(identity)) return 'Offline';
      return this.differential(identity, entries);
    });
  }

  private async differential(identity: string, entries: LocalListEntry[]): Promise<ListUpdateStatus> {
    const status = await this.send(identity, entries, false);
    if (status === 'VersionMismatch' || status === 'Failed') {
      this.opts.log.warn('differential local list update refused; sending the full list', { station: identity, status });
      return this.sendFull(identity);
    }
    return status;
  }

  /** Replaces the station's list with ours. */
  fullSync(identity: string): Promise<ListUpdateStatus> {
    return this.queued(identity, () => this.sendFull(identity));
  }

  /** After a (re)connect: compares versions and resyncs when the station's list is not ours. */
  reconcile(identity: string): Promise<'InSync' | ListUpdateStatus> {
    return this.queued(identity, async () => {
      const stationVersion = await this.opts.commands.for(identity).getLocalListVersion();
      const state = await this.opts.service.state(identity);
      const ours = state?.currentAuthListVersion ?? 0;
      const dirty = state?.localListDirty ?? false;
      // -1 / 0 from the station: it has no list (or no local list support at all).
      if (!dirty && stationVersion === ours && ours > 0) return 'InSync';
      // Never sent a list: in sync while there is nothing to send (no operator cards either).
      if (!dirty && stationVersion <= 0 && ours === 0 && !this.opts.operatorEntries?.().length) return 'InSync';
      this.opts.log.info('station local list is not ours; sending the full list', { station: identity, stationVersion, ours, dirty });
      return this.sendFull(identity);
    });
  }

  private async sendFull(identity: string): Promise<ListUpdateStatus> {
    const state = await this.opts.service.state(identity);
    const own = state ? entriesOf(state, this.opts.now?.() ?? new Date()) : [];
    // A consumer's entry wins over a card with the same idTag, as in authorization.
    const taken = new Set(own.map((e) => e.idTag));
    const entries = [...own, ...(this.opts.operatorEntries?.() ?? []).filter((e) => !taken.has(e.idTag))];
    return this.send(identity, entries, true);
  }

  /** Sends the update in chunks (the first one Full when `full`), persisting each accepted version. */
  private async send(identity: string, entries: LocalListEntry[], full: boolean): Promise<ListUpdateStatus> {
    const link = this.opts.commands.for(identity);
    const max = await this.maxLength(link);
    const chunks: LocalListEntry[][] = [];
    for (let i = 0; i < entries.length; i += max) chunks.push(entries.slice(i, i + max));
    if (chunks.length === 0) chunks.push([]);
    let status: ListUpdateStatus = 'Accepted';
    for (const [i, chunk] of chunks.entries()) {
      const current = (await this.opts.service.state(identity))?.currentAuthListVersion ?? 0;
      const version = current + 1;
      status = await link.sendLocalList({ version, full: full && i === 0, entries: chunk });
      if (status !== 'Accepted') return status;
      const last = i === chunks.length - 1;
      // A complete Full list proves the station holds exactly ours; a Differential one
      // confirms the changes it carried (seen: never cleared, so a Full on every reconnect).
      await this.opts.service.update(identity, ({ state }) => {
        if (full) listConfirmed(state, version, last, 0);
        else listConfirmed(state, version, false, chunk.length);
      });
    }
    return status;
  }

  private async maxLength(link: StationLink): Promise<number> {
    let max = this.maxLengths.get(link);
    if (max === undefined) {
      max = await link.localListMaxLength().catch(() => undefined) ?? this.opts.defaultMaxLength;
      this.maxLengths.set(link, max);
    }
    return max;
  }

  private queued<T>(identity: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(identity, task);
  }
}
