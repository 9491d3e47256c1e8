import { randomInt } from 'node:crypto';
import type { ChargePointService } from '../domain/charge-point-service.ts';
import {
  diffSnapshots, searchVariables, variableName, withChange, withoutSecrets,
  type ConfigurationSnapshot, type ConfigurationVariable, type ReportPart, type VariableDifference, type VariableRef,
} from '../domain/configuration.ts';
import { KeyedQueue } from '../domain/keyed-queue.ts';
import type { ConfigurationRecords } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import { knownStation, onlineStation } from './online-station.ts';
import type { StationLink, StationLinks } from './station-link.ts';

export interface StationConfigurationOptions {
  records: ConfigurationRecords;
  service: ChargePointService;
  commands: StationLinks;
  /** Snapshots kept per station (the oldest go). */
  keep: number;
  /** How long a 2.0.1 station may take to send its whole report once it accepted to. */
  reportTimeoutMs: number;
  now: () => Date;
  log: Logger;
}

/** What a station's configuration change came to. */
export interface ConfigurationChange {
  name: string;
  /** The station's own answer (1.6 ChangeConfiguration, 2.0.1 SetVariables attribute status). */
  status: string;
  /** Accepted, to take effect once the station reboots. */
  rebootRequired: boolean;
}

/** A 2.0.1 report being received: its parts so far, and the read waiting for the last one. */
interface Assembly {
  variables: ConfigurationVariable[];
  settle: (outcome: { variables: ConfigurationVariable[] } | { error: Error }) => void;
}

/**
 * Each station's configuration as the central system knows it: snapshots read from the station
 * (1.6 GetConfiguration, 2.0.1 GetBaseReport assembled from its NotifyReport parts) and one per
 * accepted change, searched and compared. Reads and changes of one station run one at a time,
 * so no change is lost and snapshots are written in the order they were taken.
 */
export class StationConfiguration {
  private readonly opts: StationConfigurationOptions;
  private readonly queue = new KeyedQueue();
  // Reports being received, by station and request id.
  private readonly assembling = new Map<string, Map<number, Assembly>>();
  // Random start: an operator's own GetReport calls are unlikely to share an id with ours.
  private requestId = randomInt(1, 2 ** 30);

  constructor(opts: StationConfigurationOptions) {
    this.opts = opts;
  }

  /** Reads the station's whole configuration now and keeps it as its newest snapshot. */
  refresh(identity: string): Promise<ConfigurationSnapshot> {
    return this.queue.run(identity, async () => {
      const link = await this.link(identity);
      const requestId = this.nextRequestId();
      // Listening before asking: a station may send its first NotifyReport before its answer arrives.
      const report = this.listen(identity, requestId);
      let read;
      try {
        read = await link.readConfiguration(requestId);
      } catch (err) {
        report.cancel();
        throw stationFailure(err, 'reading the configuration');
      }
      let variables: ConfigurationVariable[];
      if (read.kind === 'variables') {
        report.cancel();
        variables = read.variables;
      } else if (!read.accepted) {
        report.cancel();
        throw new BridgeError('Refused', `the station answered GetBaseReport with ${read.status}`);
      } else {
        variables = await report.complete(this.opts.reportTimeoutMs);
      }
      const snapshot: ConfigurationSnapshot = {
        takenAt: this.opts.now().toISOString(), source: read.kind === 'variables' ? 'GetConfiguration' : 'GetBaseReport',
        variables: withoutSecrets(variables), unknownKeys: read.kind === 'variables' ? read.unknownKeys : [],
      };
      await this.opts.records.put(identity, snapshot, this.opts.keep);
      this.opts.log.info('station configuration read', { station: identity, source: snapshot.source, variables: snapshot.variables.length });
      return snapshot;
    });
  }

  /**
   * A station accepted (or back): reads its configuration when the newest snapshot is older
   * than `maxAgeMs` or missing. A station that cannot answer is logged, not retried.
   */
  async onStationReady(identity: string, maxAgeMs: number): Promise<void> {
    try {
      const latest = await this.opts.records.latest(identity);
      if (latest && this.opts.now().getTime() - Date.parse(latest.takenAt) < maxAgeMs) return;
      await this.refresh(identity);
    } catch (err) {
      this.opts.log.warn('station configuration not read', { station: identity, err });
    }
  }

  /** A NotifyReport part (2.0.1): collected until the last one completes the waiting read. */
  onReport(identity: string, part: ReportPart): void {
    const assembly = this.assembling.get(identity)?.get(part.requestId);
    // A report nobody here asked for (an operator's own GetReport call): kept among the reports only.
    if (!assembly) return;
    assembly.variables.push(...part.variables);
    if (!part.tbc) assembly.settle({ variables: assembly.variables });
  }

  /** Sets one variable on the station; an accepted change is kept as a snapshot of its own. */
  change(identity: string, ref: VariableRef, value: string): Promise<ConfigurationChange> {
    return this.queue.run(identity, async () => {
      const link = await this.link(identity);
      let status: string;
      try {
        status = await link.changeConfiguration(ref, value);
      } catch (err) {
        throw stationFailure(err, 'changing the configuration');
      }
      const rebootRequired = status === 'RebootRequired';
      const latest = await this.opts.records.latest(identity);
      if ((status === 'Accepted' || rebootRequired) && latest) {
        await this.opts.records.put(identity, withChange(latest, ref, value, rebootRequired, this.opts.now().toISOString()), this.opts.keep);
      }
      this.opts.log.info('station configuration changed', { station: identity, variable: variableName(ref), status });
      return { name: variableName(ref), status, rebootRequired };
    });
  }

  /** The newest snapshot (or the one taken at `takenAt`), its variables filtered by `search`. */
  async snapshot(identity: string, opts: { takenAt?: string; search?: string } = {}): Promise<ConfigurationSnapshot> {
    await knownStation(this.opts.service, identity);
    const found = opts.takenAt ? await this.opts.records.snapshot(identity, opts.takenAt) : await this.opts.records.latest(identity);
    if (!found) {
      throw new BridgeError('NotFound', opts.takenAt
        ? `no configuration snapshot of ${identity} taken at ${opts.takenAt}`
        : `the configuration of ${identity} was not read yet: refresh it`);
    }
    return opts.search ? { ...found, variables: searchVariables(found, opts.search) } : found;
  }

  /** When each kept snapshot was taken, oldest first. */
  async history(identity: string): Promise<string[]> {
    await knownStation(this.opts.service, identity);
    return this.opts.records.takenAt(identity);
  }

  /** What changed between two snapshots (by default the two newest). */
  async diff(identity: string, from?: string, to?: string): Promise<{ from: string; to: string; changes: VariableDifference[] }> {
    const times = await this.history(identity);
    const a = from ?? times.at(-2);
    const b = to ?? times.at(-1);
    if (!a || !b) throw new BridgeError('NotFound', `${identity} has fewer than two configuration snapshots`);
    const [before, after] = await Promise.all([this.snapshot(identity, { takenAt: a }), this.snapshot(identity, { takenAt: b })]);
    return { from: a, to: b, changes: diffSnapshots(before, after) };
  }

  /**
   * Collects the parts of report `requestId` from now on. `complete` waits for the last part,
   * at most `timeoutMs` from when it is called (the station accepted); `cancel` stops listening.
   */
  private listen(identity: string, requestId: number): { complete: (timeoutMs: number) => Promise<ConfigurationVariable[]>; cancel: () => void } {
    const reports = this.assembling.get(identity) ?? new Map<number, Assembly>();
    this.assembling.set(identity, reports);
    let outcome: { variables: ConfigurationVariable[] } | { error: Error } | undefined;
    let wake: (() => void) | undefined;
    const forget = (): void => {
      reports.delete(requestId);
      if (!reports.size) this.assembling.delete(identity);
    };
    reports.set(requestId, {
      variables: [],
      settle: (o) => {
        forget();
        outcome ??= o;
        wake?.();
      },
    });
    return {
      cancel: forget,
      complete: (timeoutMs) => new Promise<ConfigurationVariable[]>((resolve, reject) => {
        const finish = (): void => {
          clearTimeout(timer);
          if (outcome && 'variables' in outcome) resolve(outcome.variables);
          else reject(outcome?.error);
        };
        const timer = setTimeout(() => {
          reports.get(requestId)?.settle({ error: new BridgeError('Timeout', `${identity} did not send its whole configuration report within ${timeoutMs / 1000} s of accepting GetBaseReport`) });
        }, timeoutMs);
        wake = finish;
        if (outcome) finish();
      }),
    };
  }

  private nextRequestId(): number {
    this.requestId = this.requestId >= 2 ** 31 - 1 ? 1 : this.requestId + 1;
    return this.requestId;
  }

  private async link(identity: string): Promise<StationLink> {
    await onlineStation(this.opts.service, this.opts.commands, identity);
    return this.opts.commands.for(identity);
  }
}
