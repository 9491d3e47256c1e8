import type { ChangeRecord } from '../domain/change.ts';
import type { ChargePointRepository } from '../domain/ports.ts';
import { LevelCertificateRecords } from './certificate-records.ts';
import { LevelConfigurationRecords } from './configuration-records.ts';
import { LevelContractRecords } from './contract-records.ts';
import { LevelEventRecords } from './event-records.ts';
import { LevelDatabase, type LevelStoreOptions, type StorageError } from './level-database.ts';
import { LevelNonceRecords } from './nonce-records.ts';
import { LevelSessionRecords } from './session-records.ts';
import { LevelSettlementRecords } from './settlement-records.ts';
import { LevelStationRecords } from './station-records.ts';
import { LevelTagRecords } from './tag-records.ts';
import { LevelAuditRecords } from './audit-records.ts';
import { LevelFirmwareRecords } from './firmware-records.ts';
import { LevelLogUploadRecords } from './log-upload-records.ts';

export { StorageError, type LevelStoreOptions } from './level-database.ts';

// The admin API's audit log keeps this many entries (the oldest go).
const AUDIT_ENTRIES_KEPT = 10_000;

/**
 * The gateway's LevelDB: one repository per aggregate (stations, consumers' sessions, signed
 * events, settlement, nonces, certificates, contracts, configurations, operator tags, the admin
 * audit log) over one database, and the unit of work that writes every part of one domain
 * change in one atomic batch.
 */
export class LevelStore implements ChargePointRepository {
  readonly stations: LevelStationRecords;
  readonly sessions: LevelSessionRecords;
  readonly events: LevelEventRecords;
  readonly settlements: LevelSettlementRecords;
  readonly nonces: LevelNonceRecords;
  readonly certificates: LevelCertificateRecords;
  readonly contracts: LevelContractRecords;
  readonly configurations: LevelConfigurationRecords;
  readonly tags: LevelTagRecords;
  readonly audit: LevelAuditRecords;
  readonly firmware: LevelFirmwareRecords;
  readonly logUploads: LevelLogUploadRecords;
  private readonly db: LevelDatabase;

  private constructor(db: LevelDatabase, events: LevelEventRecords) {
    this.db = db;
    this.events = events;
    this.stations = new LevelStationRecords(db);
    this.sessions = new LevelSessionRecords(db);
    this.settlements = new LevelSettlementRecords(db);
    this.nonces = new LevelNonceRecords(db);
    this.certificates = new LevelCertificateRecords(db);
    this.contracts = new LevelContractRecords(db);
    this.configurations = new LevelConfigurationRecords(db);
    this.tags = new LevelTagRecords(db);
    this.audit = new LevelAuditRecords(db, AUDIT_ENTRIES_KEPT);
    this.firmware = new LevelFirmwareRecords(db);
    this.logUploads = new LevelLogUploadRecords(db);
  }

  static async open(location: string, options: LevelStoreOptions = { sync: false }): Promise<LevelStore> {
    const db = await LevelDatabase.open(location, options);
    const store = new LevelStore(db, await LevelEventRecords.open(db));
    await store.nonces.load();
    return store;
  }

  /** Writes one handled message's change atomically (grouped with the changes of the same event-loop turn). */
  commit(change: ChangeRecord): Promise<void> {
    return this.db.writeGrouped([
      ...this.stations.opsFor(change),
      ...this.events.opsFor(change),
      ...this.settlements.opsFor(change),
      ...this.sessions.opsFor(change),
      ...this.nonces.opsFor(change),
    ]);
  }

  /**
   * Removes a station and what it stored (transactions, meter values, reports, certificates,
   * configuration snapshots, de-duplication keys). Consumers' finished sessions and payouts stay: they are the
   * consumers' records. The state goes last, so a crash half way leaves a station that can be
   * deleted again.
   */
  async deleteStation(identity: string): Promise<void> {
    for (const range of [...this.stations.recordRanges(identity), this.certificates.recordRange(identity), this.configurations.recordRange(identity)]) {
      await this.db.clear(range);
    }
    await this.db.write(await this.stations.stateRemoval(identity));
  }

  /** The first failed write, if any: from then on every write is refused with it. */
  get writeFailure(): StorageError | undefined {
    return this.db.writeFailure;
  }

  /** Called once per failure: when the first write fails (again after a recovery). */
  onWriteFailure(listener: (err: StorageError) => void): void {
    this.db.onWriteFailure(listener);
  }

  /** After a failed write: true when storage works again (see LevelDatabase.recover). */
  recover(): Promise<boolean> {
    return this.db.recover();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
