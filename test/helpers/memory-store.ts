// An in-memory double of the gateway's storage, for fast unit tests of the app layer. It keeps
// what a change records in plain maps and behaves as the LevelDB store does where the domain
// can tell (test/unit/store/repository-suite.ts runs the same tests against both): reads return
// copies, a change is applied whole, replayed readings overwrite themselves, orders match.
import { hashDataId } from '../../src/domain/certificates.ts';
import type { ChangeRecord, OutboxRecord } from '../../src/domain/change.ts';
import type { ChargePointState, TransactionInfo } from '../../src/domain/model.ts';
import type { ConfigurationSnapshot } from '../../src/domain/configuration.ts';
import type { OperatorTag } from '../../src/domain/tags.ts';
import type {
  CertificateRecords, ChargePointRepository, ConfigurationRecords, ContractRecords, ContractRegistration, MeterSample, SessionRecords, StationCertificate, StationRecords, TagRecords,
} from '../../src/domain/ports.ts';
import type { ConsumerSession } from '../../src/domain/sessions.ts';

const copy = <T>(value: T): T => structuredClone(value);
const sorted = <T>(map: Map<string, T>): T[] => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => copy(v));
const pad = (n: number) => String(n).padStart(10, '0');

interface StationData {
  state: ChargePointState;
  finished: Map<number, TransactionInfo>;
  startKeys: Map<string, number>;
  ocppTransactions: Map<string, number>;
  seqNos: Set<string>;
  /** Sort key (transaction, connector, time, content) → the reading as kept. */
  readings: Map<string, { transactionId: number; json: string; sample: MeterSample }>;
  /** Sort key (time received, arrival) → payload. */
  reports: Map<string, string>;
}

class MemoryStationRecords implements StationRecords {
  readonly data = new Map<string, StationData>();

  async loadState(identity: string): Promise<ChargePointState | undefined> {
    const found = this.data.get(identity);
    return found ? copy(found.state) : undefined;
  }

  async *allStates(): AsyncGenerator<ChargePointState> {
    for (const identity of [...this.data.keys()].sort()) yield copy(this.data.get(identity)!.state);
  }

  async findStartKey(identity: string, key: string): Promise<number | undefined> {
    return this.data.get(identity)?.startKeys.get(key);
  }

  async findOcppTransaction(identity: string, ocppTransactionId: string): Promise<number | undefined> {
    return this.data.get(identity)?.ocppTransactions.get(ocppTransactionId);
  }

  async hasSeqNo(identity: string, transactionId: number, seqNo: number): Promise<boolean> {
    return this.data.get(identity)?.seqNos.has(`${transactionId}:${seqNo}`) ?? false;
  }

  async loadFinished(identity: string, transactionId: number): Promise<TransactionInfo | undefined> {
    const found = this.data.get(identity)?.finished.get(transactionId);
    return found ? copy(found) : undefined;
  }

  async loadReadingsJson(identity: string, transactionId: number): Promise<string[]> {
    const readings = this.data.get(identity)?.readings ?? new Map();
    return sorted(readings).filter((r) => r.transactionId === transactionId).map((r) => r.json);
  }

  async finishedTransactions(identity: string): Promise<TransactionInfo[]> {
    return [...(this.data.get(identity)?.finished.values() ?? [])].sort((a, b) => a.id - b.id).map(copy);
  }

  async readings(identity: string, transactionId: number): Promise<MeterSample[]> {
    const readings = this.data.get(identity)?.readings ?? new Map();
    return sorted(readings).filter((r) => r.transactionId === transactionId).map((r) => r.sample);
  }

  async oldestReports(identity: string, atLeastBytes: number): Promise<{ key: string; bytes: number }[]> {
    const out: { key: string; bytes: number }[] = [];
    let total = 0;
    for (const [key, payload] of [...(this.data.get(identity)?.reports ?? new Map<string, string>())].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (total >= atLeastBytes) break;
      out.push({ key, bytes: Buffer.byteLength(payload) });
      total += Buffer.byteLength(payload);
    }
    return out;
  }
}

class MemorySessionRecords implements SessionRecords {
  /** station → session id → session */
  readonly byStation = new Map<string, Map<string, ConsumerSession>>();

  async load(identity: string, sessionId: string): Promise<ConsumerSession | undefined> {
    const found = this.byStation.get(identity)?.get(sessionId);
    return found ? copy(found) : undefined;
  }

  async ofStation(identity: string): Promise<ConsumerSession[]> {
    return sorted(this.byStation.get(identity) ?? new Map());
  }

  async ofConsumer(keyHex: string): Promise<ConsumerSession[]> {
    const mine = new Map<string, ConsumerSession>();
    for (const sessions of this.byStation.values()) {
      for (const s of sessions.values()) if (s.consumerKeyHex === keyHex) mine.set(`${s.createdAt}:${s.id}`, s);
    }
    return sorted(mine);
  }
}

class MemoryCertificateRecords implements CertificateRecords {
  private readonly byStation = new Map<string, Map<string, StationCertificate>>();

  async certificates(identity: string): Promise<StationCertificate[]> {
    return sorted(this.byStation.get(identity) ?? new Map());
  }

  async updateCertificates(identity: string, put: StationCertificate[], remove: string[]): Promise<void> {
    const mine = this.byStation.get(identity) ?? new Map<string, StationCertificate>();
    for (const id of remove) mine.delete(id);
    for (const c of put) mine.set(hashDataId(c), copy(c));
    this.byStation.set(identity, mine);
  }
}

class MemoryContractRecords implements ContractRecords {
  private readonly byEmaid = new Map<string, ContractRegistration>();

  async contract(emaid: string): Promise<ContractRegistration | undefined> {
    const found = this.byEmaid.get(emaid);
    return found ? copy(found) : undefined;
  }

  async contractsOf(consumerKeyHex: string): Promise<ContractRegistration[]> {
    return sorted(new Map([...this.byEmaid].filter(([, r]) => r.consumerKeyHex === consumerKeyHex)));
  }

  async putContract(registration: ContractRegistration): Promise<void> {
    this.byEmaid.set(registration.emaid, copy(registration));
  }

  async deleteContract(registration: ContractRegistration): Promise<void> {
    this.byEmaid.delete(registration.emaid);
  }
}

class MemoryConfigurationRecords implements ConfigurationRecords {
  private readonly byStation = new Map<string, Map<string, ConfigurationSnapshot>>();

  async latest(identity: string): Promise<ConfigurationSnapshot | undefined> {
    return sorted(this.byStation.get(identity) ?? new Map()).at(-1);
  }

  async snapshot(identity: string, takenAt: string): Promise<ConfigurationSnapshot | undefined> {
    const found = this.byStation.get(identity)?.get(takenAt);
    return found ? copy(found) : undefined;
  }

  async takenAt(identity: string): Promise<string[]> {
    return sorted(this.byStation.get(identity) ?? new Map()).map((s) => s.takenAt);
  }

  async put(identity: string, snapshot: ConfigurationSnapshot, keep: number): Promise<void> {
    const mine = this.byStation.get(identity) ?? new Map<string, ConfigurationSnapshot>();
    mine.set(snapshot.takenAt, copy(snapshot));
    const times = [...mine.keys()].sort();
    for (const old of times.slice(0, Math.max(0, times.length - keep))) mine.delete(old);
    this.byStation.set(identity, mine);
  }
}

class MemoryTagRecords implements TagRecords {
  private readonly byTag = new Map<string, OperatorTag>();

  async all(): Promise<OperatorTag[]> {
    return sorted(this.byTag);
  }

  async update(put: OperatorTag[], remove: string[]): Promise<void> {
    for (const idTag of remove) this.byTag.delete(idTag);
    for (const t of put) this.byTag.set(t.idTag, copy(t));
  }
}

/** The storage ports in memory (named a double: the product stores in LevelDB). */
export class MemoryStoreDouble implements ChargePointRepository {
  readonly stations = new MemoryStationRecords();
  readonly sessions = new MemorySessionRecords();
  readonly certificates = new MemoryCertificateRecords();
  readonly contracts = new MemoryContractRecords();
  readonly configurations = new MemoryConfigurationRecords();
  readonly tags = new MemoryTagRecords();
  /** Every signed event committed, in commit order (the LevelDB store's outbox). */
  readonly outbox: OutboxRecord[] = [];
  /** Every committed change, for tests that check what one use case wrote. */
  readonly changes: ChangeRecord[] = [];
  private reportCounter = 0;

  async commit(change: ChangeRecord): Promise<void> {
    // Copied first, so the change is applied as it was handed over, whole.
    const c = copy(change);
    const station = this.stations.data.get(c.identity) ?? {
      state: c.state, finished: new Map(), startKeys: new Map(), ocppTransactions: new Map(), seqNos: new Set<string>(), readings: new Map(), reports: new Map(),
    };
    station.state = c.state;
    for (const tx of c.finished) station.finished.set(tx.id, tx);
    for (const s of c.startKeys) station.startKeys.set(s.key, s.transactionId);
    for (const o of c.ocppTransactionIds) station.ocppTransactions.set(o.ocppTransactionId, o.transactionId);
    for (const s of c.seqNos) station.seqNos.add(`${s.transactionId}:${s.seqNo}`);
    for (const r of c.readings) {
      const sample: MeterSample = {
        stationTime: r.reading.stationTime, receivedAt: r.receivedAt, connectorId: r.connectorId, transactionId: r.transactionId,
        sampledValuesJson: r.reading.rawJson, source: r.source, claimedTransactionId: 0,
      };
      station.readings.set(`${pad(r.transactionId)}:${pad(r.connectorId)}:${r.reading.stationTime}:${r.source}:${r.reading.rawJson}`, { transactionId: r.transactionId, json: r.reading.rawJson, sample });
    }
    for (const r of c.reports) station.reports.set(`${r.receivedAt}:${pad(this.reportCounter++)}`, r.payloadJson);
    for (const key of c.droppedReports) station.reports.delete(key);
    this.stations.data.set(c.identity, station);
    const sessions = this.sessions.byStation.get(c.identity) ?? new Map<string, ConsumerSession>();
    for (const s of c.finishedSessions) sessions.set(s.id, s);
    this.sessions.byStation.set(c.identity, sessions);
    this.outbox.push(...c.outbox);
    this.changes.push(c);
  }
}
