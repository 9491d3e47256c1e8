// One set of tests for the storage ports, run against the LevelDB store and the in-memory
// double, so the double the app-layer tests use behaves as the store the product runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { emptyChange, type ChangeRecord } from '../../../src/domain/change.ts';
import type { ChargePointState, TransactionInfo } from '../../../src/domain/model.ts';
import type { CertificateRecords, ChargePointRepository, ConfigurationRecords, ContractRecords, StationCertificate, TagRecords } from '../../../src/domain/ports.ts';
import { newVariable, type ConfigurationSnapshot } from '../../../src/domain/configuration.ts';
import { newSession, type ConsumerSession } from '../../../src/domain/sessions.ts';

export type Repositories = ChargePointRepository & { certificates: CertificateRecords; contracts: ContractRecords; configurations: ConfigurationRecords; tags: TagRecords };

const AT = new Date('2026-12-06T10:00:00Z');

function change(identity: string, fill: (c: ChangeRecord, state: ChargePointState) => void = () => {}, state = emptyState(identity)): ChangeRecord {
  const c = emptyChange(identity, state);
  fill(c, state);
  return c;
}

function finishedTx(id: number, extra: Partial<TransactionInfo> = {}): TransactionInfo {
  return { id, idTag: 'TAG', connectorId: 1, startTime: AT.toISOString(), endTime: AT.toISOString(), startMeter: 0, endMeter: 1000, ...extra } as TransactionInfo;
}

function session(id: string, station: string, keyHex: string, createdAt: Date): ConsumerSession {
  return { ...newSession({ id, station, keyText: `key-${keyHex}`, keyHex, idTag: `T${id}`, now: createdAt, expiresAt: new Date(createdAt.getTime() + 3_600_000) }), state: 'stopped' };
}

function certificate(serial: string, type = 'V2GRootCertificate'): StationCertificate {
  return { certificateType: type, hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb'.repeat(16), serialNumber: serial, pem: '', subject: `CN=${serial}`, notAfter: '' } as StationCertificate;
}

const reading = (transactionId: number, stationTime: string, rawJson: string) => ({
  connectorId: 1, transactionId, reading: { stationTime, rawJson }, source: 'MeterValues', receivedAt: stationTime,
});

export function repositorySuite(name: string, open: () => Promise<{ repos: Repositories; close(): Promise<void> }>): void {
  describe(`storage ports: ${name}`, () => {
    let repos: Repositories;
    let close: () => Promise<void>;
    before(async () => {
      ({ repos, close } = await open());
    });
    after(() => close());

    it('keeps a station state as committed and lists every station in identity order', async () => {
      for (const id of ['RS-B', 'RS-A', 'RS-C']) {
        await repos.commit(change(id, (_, s) => { s.status = 'Accepted'; s.currentTransactionId = id.charCodeAt(3); }));
      }
      assert.equal((await repos.stations.loadState('RS-A'))?.currentTransactionId, 'A'.charCodeAt(0));
      assert.equal(await repos.stations.loadState('RS-NONE'), undefined);
      const ids: string[] = [];
      for await (const state of repos.stations.allStates()) if (state.id.startsWith('RS-')) ids.push(state.id);
      assert.deepEqual(ids, ['RS-A', 'RS-B', 'RS-C']);
    });

    it('hands out copies: changing a loaded state changes nothing stored', async () => {
      await repos.commit(change('RS-COPY', (_, s) => { s.status = 'Accepted'; }));
      const loaded = (await repos.stations.loadState('RS-COPY'))!;
      loaded.status = 'Rejected';
      assert.equal((await repos.stations.loadState('RS-COPY'))?.status, 'Accepted');
    });

    it('finds a finished transaction by id, by its 1.6 start key and by its 2.0.1 id, and the seqNos seen', async () => {
      await repos.commit(change('RS-TX', (c) => {
        c.finished.push(finishedTx(7, { ocppTransactionId: 'OCPP-7' }));
        c.startKeys.push({ key: 'start-key-7', transactionId: 7 });
        c.ocppTransactionIds.push({ ocppTransactionId: 'OCPP-7', transactionId: 7 });
        c.seqNos.push({ transactionId: 7, seqNo: 0 }, { transactionId: 7, seqNo: 3 });
      }));
      assert.equal((await repos.stations.loadFinished('RS-TX', 7))?.endMeter, 1000);
      assert.equal(await repos.stations.loadFinished('RS-TX', 8), undefined);
      assert.equal(await repos.stations.loadFinished('RS-OTHER', 7), undefined, 'per station');
      assert.deepEqual((await repos.stations.finishedTransactions('RS-TX')).map((t) => t.id), [7]);
      assert.deepEqual(await repos.stations.finishedTransactions('RS-OTHER'), []);
      assert.equal(await repos.stations.findStartKey('RS-TX', 'start-key-7'), 7);
      assert.equal(await repos.stations.findStartKey('RS-TX', 'start-key-8'), undefined);
      assert.equal(await repos.stations.findOcppTransaction('RS-TX', 'OCPP-7'), 7);
      assert.equal(await repos.stations.findOcppTransaction('RS-OTHER', 'OCPP-7'), undefined);
      assert.deepEqual(
        await Promise.all([0, 1, 3].map((n) => repos.stations.hasSeqNo('RS-TX', 7, n))),
        [true, false, true],
      );
    });

    it('keeps a replayed reading once and returns a transaction\'s readings in time order', async () => {
      const first = reading(1, '2026-12-06T10:01:00.000Z', '[{"value":"10"}]');
      const second = reading(1, '2026-12-06T10:02:00.000Z', '[{"value":"20"}]');
      await repos.commit(change('RS-MV', (c) => c.readings.push(second, first, reading(2, '2026-12-06T10:00:30.000Z', '[{"value":"5"}]'))));
      await repos.commit(change('RS-MV', (c) => c.readings.push(first)));
      assert.deepEqual(await repos.stations.loadReadingsJson('RS-MV', 1), ['[{"value":"10"}]', '[{"value":"20"}]']);
      assert.deepEqual(await repos.stations.loadReadingsJson('RS-MV', 2), ['[{"value":"5"}]']);
      assert.deepEqual(await repos.stations.loadReadingsJson('RS-MV', 3), []);
      const kept = await repos.stations.readings('RS-MV', 1);
      assert.deepEqual(kept.map((r) => [r.stationTime, r.source, r.connectorId]), [['2026-12-06T10:01:00.000Z', 'MeterValues', 1], ['2026-12-06T10:02:00.000Z', 'MeterValues', 1]]);
    });

    it('names the oldest reports that free the bytes asked for, and a change drops them', async () => {
      const report = (minute: number, bytes: number) => ({ action: 'SecurityEventNotification', receivedAt: `2026-12-06T10:0${minute}:00.000Z`, payloadJson: 'x'.repeat(bytes) });
      await repos.commit(change('RS-RP', (c) => c.reports.push(report(1, 100), report(2, 200), report(3, 300))));
      const oldest = await repos.stations.oldestReports('RS-RP', 250);
      assert.deepEqual(oldest.map((r) => r.bytes), [100, 200], 'as many as hold 250 bytes, oldest first');
      assert.deepEqual((await repos.stations.oldestReports('RS-RP', 1)).map((r) => r.bytes), [100]);
      assert.deepEqual((await repos.stations.oldestReports('RS-RP', 10_000)).map((r) => r.bytes), [100, 200, 300], 'all when they do not hold enough');
      await repos.commit(change('RS-RP', (c) => c.droppedReports.push(...oldest.map((r) => r.key))));
      assert.deepEqual((await repos.stations.oldestReports('RS-RP', 10_000)).map((r) => r.bytes), [300]);
      assert.deepEqual(await repos.stations.oldestReports('RS-NONE', 1), []);
    });

    it('keeps finished sessions per station and lists a consumer\'s on every station, oldest first', async () => {
      const later = new Date(AT.getTime() + 60_000);
      await repos.commit(change('RS-S2', (c) => c.finishedSessions.push(session('s-late', 'RS-S2', 'k1', later))));
      await repos.commit(change('RS-S1', (c) => c.finishedSessions.push(session('s-early', 'RS-S1', 'k1', AT), session('s-other', 'RS-S1', 'k2', AT))));
      assert.deepEqual((await repos.sessions.ofConsumer('k1')).map((s) => s.id), ['s-early', 's-late']);
      assert.deepEqual((await repos.sessions.ofConsumer('k2')).map((s) => s.id), ['s-other']);
      assert.deepEqual(await repos.sessions.ofConsumer('k3'), []);
      assert.equal((await repos.sessions.load('RS-S2', 's-late'))?.state, 'stopped');
      assert.equal(await repos.sessions.load('RS-S1', 's-late'), undefined, 'per station');
      assert.deepEqual((await repos.sessions.ofStation('RS-S1')).map((x) => x.id).sort(), ['s-early', 's-other']);
      // A later change of the station keeps them: they are the consumer's records.
      await repos.commit(change('RS-S1', (_, s) => { s.status = 'Accepted'; }));
      assert.equal((await repos.sessions.load('RS-S1', 's-early'))?.id, 's-early');
    });

    it('replaces and removes a station\'s certificates in one update, apart from other stations', async () => {
      await repos.certificates.updateCertificates('RS-CE', [certificate('01'), certificate('02')], []);
      await repos.certificates.updateCertificates('RS-CE2', [certificate('01')], []);
      const [one] = await repos.certificates.certificates('RS-CE');
      await repos.certificates.updateCertificates('RS-CE', [certificate('03', 'CSMSRootCertificate')], ['1-' + 'bb'.repeat(8)]);
      assert.equal(one?.serialNumber, '01');
      assert.deepEqual((await repos.certificates.certificates('RS-CE')).map((c) => c.serialNumber).sort(), ['02', '03']);
      assert.deepEqual((await repos.certificates.certificates('RS-CE2')).map((c) => c.serialNumber), ['01']);
      assert.deepEqual(await repos.certificates.certificates('RS-NONE'), []);
    });

    it('keeps a station\'s newest configuration snapshots, replaces one taken at the same time, and drops the oldest beyond the limit', async () => {
      const snapshot = (minute: number, value = String(minute)): ConfigurationSnapshot => ({
        takenAt: `2026-12-06T10:0${minute}:00.000Z`, source: 'GetConfiguration', unknownKeys: [],
        variables: [newVariable({ variable: 'HeartbeatInterval' }, [{ value, mutability: 'ReadWrite' }])],
      });
      assert.equal(await repos.configurations.latest('RS-CF'), undefined);
      for (const minute of [1, 2, 3]) await repos.configurations.put('RS-CF', snapshot(minute), 3);
      await repos.configurations.put('RS-CF', snapshot(3, 'changed'), 3);
      assert.deepEqual(await repos.configurations.takenAt('RS-CF'), ['2026-12-06T10:01:00.000Z', '2026-12-06T10:02:00.000Z', '2026-12-06T10:03:00.000Z']);
      assert.equal((await repos.configurations.latest('RS-CF'))?.variables[0]?.attributes[0]?.value, 'changed');
      await repos.configurations.put('RS-CF', snapshot(4), 3);
      assert.deepEqual((await repos.configurations.takenAt('RS-CF')).map((t) => t.slice(15, 16)), ['2', '3', '4'], 'the oldest went');
      assert.equal((await repos.configurations.snapshot('RS-CF', '2026-12-06T10:02:00.000Z'))?.variables[0]?.attributes[0]?.value, '2');
      assert.equal(await repos.configurations.snapshot('RS-CF', '2026-12-06T10:01:00.000Z'), undefined);
      assert.deepEqual(await repos.configurations.takenAt('RS-OTHER'), []);
      // Written late (a read that started before the others), it is the oldest: it goes, not a newer one.
      await repos.configurations.put('RS-CF', snapshot(0), 3);
      assert.deepEqual((await repos.configurations.takenAt('RS-CF')).map((t) => t.slice(15, 16)), ['2', '3', '4']);
    });

    it('keeps the operator\'s cards by idTag, replacing and removing them in one update', async () => {
      const card = (idTag: string, status: 'Accepted' | 'Blocked' = 'Accepted') => ({ idTag, status, expiryDate: '', parentIdTag: '', note: '', updatedAt: AT.toISOString() });
      await repos.tags.update([card('RS-B'), card('RS-A')], []);
      await repos.tags.update([card('RS-B', 'Blocked'), card('RS-C')], ['RS-A']);
      assert.deepEqual((await repos.tags.all()).map((t) => `${t.idTag}:${t.status}`), ['RS-B:Blocked', 'RS-C:Accepted']);
    });

    it('finds a contract by eMAID and by consumer, and forgets it in both', async () => {
      const reg = (emaid: string, keyHex: string) => ({ emaid, consumerKeyHex: keyHex, consumerPublicKey: `pk-${keyHex}`, registeredAt: AT.toISOString() });
      await repos.contracts.putContract(reg('DEABCC1234567', 'c1'));
      await repos.contracts.putContract(reg('DEABCC7654321', 'c1'));
      await repos.contracts.putContract(reg('NLXYZC0000001', 'c2'));
      assert.equal((await repos.contracts.contract('DEABCC1234567'))?.consumerKeyHex, 'c1');
      assert.deepEqual((await repos.contracts.contractsOf('c1')).map((r) => r.emaid), ['DEABCC1234567', 'DEABCC7654321']);
      await repos.contracts.deleteContract(reg('DEABCC1234567', 'c1'));
      assert.equal(await repos.contracts.contract('DEABCC1234567'), undefined);
      assert.deepEqual((await repos.contracts.contractsOf('c1')).map((r) => r.emaid), ['DEABCC7654321']);
      assert.deepEqual((await repos.contracts.contractsOf('c2')).map((r) => r.emaid), ['NLXYZC0000001']);
    });
  });
}
