import type { ChargePointService } from '../domain/charge-point-service.ts';
import {
  diffSnapshots, searchVariables, variableName, withChange, type ConfigurationSnapshot, type ConfigurationVariable, type VariableDifference, type VariableRef,
} from '../domain/configuration.ts';
import type { ConfigurationRecords } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import type { StationLink, StationLinks } from './station-link.ts';

export interface StationConfigurationOptions {
  records: ConfigurationRecords;
  service: ChargePointService;
  commands: StationLinks;
  /** Snapshots kept per station (the oldest go). */
  keep: number;
  /** How long a 2.0.1 station may take to send its whole report. */
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

interface Assembly {
  requestId: number;
  variables: ConfigurationVariable[];
  done: (variables: ConfigurationVariable[]) => void;
}

/**
 * Each station's configuration as the central system knows it: snapshots read from the station
 * (1.6 GetConfiguration, 2.0.1 GetBaseReport assembled from its NotifyReport parts), changes
 * sent in the station's version and applied to the latest snapshot when accepted, search and
 * the differences between two snapshots.
 */
export class StationConfiguration {
  private readonly opts: StationConfigurationOptions;
  // The 2.0.1 report being assembled per station (one read at a time per station).
  private readonly assembling = new Map<string, Assembly>();
  private requestIds = 0;

  constructor(opts: StationConfigurationOptions) {
    this.opts = opts;
  }

  /** Reads the station's whole configuration now and keeps it as its newest snapshot. */
  async refresh(identity: string): Promise<ConfigurationSnapshot> {
    const link = await this.link(identity);
    if (this.assembling.has(identity)) throw new BridgeError('Conflict', `${identity} is sending its configuration report already`);
    const requestId = this.nextRequestId();
    // Listening before asking: a station may send its first NotifyReport before its answer arrives.
    const report = this.awaitReport(identity, requestId);
    // Handled now: a read that fails or times out before it is awaited must not go unhandled.
    report.catch(() => {});
    let read;
    try {
      read = await link.readConfiguration(requestId);
    } catch (err) {
      this.assembling.delete(identity);
      throw stationFailure(err, 'reading the configuration');
    }
    let snapshot: ConfigurationSnapshot;
    const takenAt = this.opts.now().toISOString();
    if (read.kind === 'variables') {
      this.assembling.delete(identity);
      snapshot = { takenAt, source: 'GetConfiguration', variables: read.variables, unknownKeys: read.unknownKeys };
    } else {
      if (!read.accepted) {
        this.assembling.delete(identity);
        throw new BridgeError('Refused', `the station answered GetBaseReport with ${read.status}`);
      }
      snapshot = { takenAt, source: 'GetBaseReport', variables: await report, unknownKeys: [] };
    }
    await this.opts.records.put(identity, snapshot, this.opts.keep);
    this.opts.log.info('station configuration read', { station: identity, source: snapshot.source, variables: snapshot.variables.length });
    return snapshot;
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
  onReport(identity: string, part: { requestId: number; tbc: boolean; variables: ConfigurationVariable[] }): void {
    const assembly = this.assembling.get(identity);
    // A report nobody here asked for (an operator's own GetReport call): kept among the reports only.
    if (!assembly || assembly.requestId !== part.requestId) return;
    assembly.variables.push(...part.variables);
    if (!part.tbc) {
      this.assembling.delete(identity);
      assembly.done(assembly.variables);
    }
  }

  /** Sets one variable on the station; the latest snapshot follows when the station accepts. */
  async change(identity: string, ref: VariableRef, value: string): Promise<ConfigurationChange> {
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
      await this.opts.records.put(identity, withChange(latest, ref, value, rebootRequired), this.opts.keep);
    }
    this.opts.log.info('station configuration changed', { station: identity, variable: variableName(ref), status });
    return { name: variableName(ref), status, rebootRequired };
  }

  /** The newest snapshot (or the one taken at `takenAt`), its variables filtered by `search`. */
  async snapshot(identity: string, opts: { takenAt?: string; search?: string } = {}): Promise<ConfigurationSnapshot> {
    await this.known(identity);
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
    await this.known(identity);
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

  private awaitReport(identity: string, requestId: number): Promise<ConfigurationVariable[]> {
    return new Promise<ConfigurationVariable[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.assembling.get(identity)?.requestId !== requestId) return;
        this.assembling.delete(identity);
        reject(new BridgeError('Timeout', `${identity} did not send its whole configuration report within ${this.opts.reportTimeoutMs / 1000} s`));
      }, this.opts.reportTimeoutMs);
      timer.unref();
      this.assembling.set(identity, {
        requestId, variables: [], done: (variables) => {
          clearTimeout(timer);
          resolve(variables);
        },
      });
    });
  }

  private nextRequestId(): number {
    // Unique within this run; the station echoes it in every part.
    this.requestIds = (this.requestIds % 1_000_000) + 1;
    return this.requestIds;
  }

  private async known(identity: string): Promise<void> {
    if (!(await this.opts.service.state(identity))) throw new BridgeError('UnknownStation', `unknown station ${identity}`);
  }

  private async link(identity: string): Promise<StationLink> {
    await this.known(identity);
    if (!this.opts.commands.isConnected(identity)) throw new BridgeError('StationOffline', `station ${identity} is offline`);
    return this.opts.commands.for(identity);
  }
}
