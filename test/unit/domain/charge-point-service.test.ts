import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { authorize } from '../../../src/domain/authorization.ts';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { emptyChange } from '../../../src/domain/change.ts';
import { ChargePointService, StaleConnectionError, type Origin } from '../../../src/domain/charge-point-service.ts';
import { chargingStatus, energyRegisterWh } from '../../../src/domain/meter.ts';
import { nextTransactionId } from '../../../src/domain/transactions.ts';
import { LevelStore } from '../../../src/store/level-store.ts';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { gatewayKeyFrom } from '../../../src/crypto/gateway-key.ts';
import { EventOutbox } from '../../../src/p2p/event-outbox.ts';
import { stationTopic } from '../../../src/p2p/protocol.ts';
import { codecFor } from '../../../src/proto/codec.ts';
import { tempDir } from '../../helpers/gateway.ts';

const TARIFF = { pricePerKwh: '0', pricePerMinute: '0', sessionFee: '0', currency: 'PEAQ', decimals: 18 };

const BOOT = {
  boot: { chargeBoxSerialNumber: '', chargePointModel: 'M', ChargePointSerialNumber: '', ChargePointVendor: 'V', firmwareVersion: '', iccid: '', imsi: '', meterSerialNumber: '', meterType: '' },
  reason: '', registration: 'Accepted' as const, ocppVersion: 'ocpp1.6',
};

describe('ChargePointService on a real LevelDB', () => {
  const dir = tempDir();
  let store: LevelStore;
  let service: ChargePointService;
  before(async () => {
    store = await LevelStore.open(dir);
    service = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a message from a superseded connection changes nothing', async () => {
    const current: Origin = { identity: 'S1', isCurrent: () => true };
    const stale: Origin = { identity: 'S1', isCurrent: () => false };
    await service.boot(current, BOOT);
    await service.status(current, { connectorId: 1, status: 'Available', stationTime: 't1' });
    await assert.rejects(service.status(stale, { connectorId: 1, status: 'Faulted', stationTime: 't2' }), StaleConnectionError);
    assert.equal((await store.stations.loadState('S1'))?.connectors[1]?.status, 'Available');
    assert.equal((await service.state('S1'))?.connectors[1]?.status, 'Available');
  });

  it('a failed commit is not acknowledged and leaves the state as it was', async () => {
    const origin: Origin = { identity: 'S2', isCurrent: () => true };
    await service.boot(origin, BOOT);
    const failing = new ChargePointService({
      repository: { stations: store.stations, sessions: store.sessions, commit: () => Promise.reject(new Error('disk full')) },
      authorization: { acceptUnknownIdTags: true },
      tariff: TARIFF,
    });
    await assert.rejects(failing.startTransaction(origin, { connectorId: 1, idTag: 'A', meterStartWh: 0, stationTime: 't' }), /disk full/);
    assert.deepEqual((await failing.state('S2'))?.transactions, {});
    assert.deepEqual((await store.stations.loadState('S2'))?.transactions, {});
  });

  it('gives the event numbers of a change that did not commit out again, but keeps those of one that may have landed (a failed fsync)', async () => {
    const key = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    const outbox = new EventOutbox({ publicKey: key.publicKey, scheme: 'ED25519', sign: key.sign }, new Map());
    let failWith: Error | undefined;
    const flaky = new ChargePointService({
      repository: { stations: store.stations, sessions: store.sessions, commit: (change) => (failWith ? Promise.reject(failWith) : store.commit(change)) },
      authorization: { acceptUnknownIdTags: true },
      tariff: TARIFF,
      outbox,
    });
    const origin: Origin = { identity: 'S-NUMBERS', isCurrent: () => true };
    const flip = (status: 'Available' | 'Preparing') => flaky.status(origin, { connectorId: 1, status, stationTime: 't' });
    await flaky.boot(origin, BOOT);
    await flip('Preparing');
    failWith = new Error('disk full');
    await assert.rejects(flip('Available'), /disk full/);
    failWith = Object.assign(new Error('fsync failed'), { mayHaveLanded: true });
    await assert.rejects(flip('Available'), /fsync failed/);
    failWith = undefined;
    await flip('Available');
    const envelopes = codecFor('cgw.SignedEnvelope');
    const seqs = (await store.events.eventsAfter(stationTopic('S-NUMBERS'), 0, 100)).map((e) => envelopes.decode(e).seq);
    // Boot 1, Preparing 2. The disk-full change gave its 3 back; the fsync one took 3 and kept it; the last is 4.
    assert.deepEqual(seqs, [1, 2, 4]);
  });

  it('a station is accepted only once its boot is durable: not while the commit runs, not after it failed', async () => {
    const origin: Origin = { identity: 'S-BOOTING', isCurrent: () => true };
    await service.boot(origin, { ...BOOT, registration: 'Pending' });
    let fail!: (err: Error) => void;
    let committing!: () => void;
    const reached = new Promise<void>((resolve) => { committing = resolve; });
    const slow = new ChargePointService({
      repository: { stations: store.stations, sessions: store.sessions, commit: () => new Promise<void>((_, reject) => { fail = reject; committing(); }) },
      authorization: { acceptUnknownIdTags: true },
      tariff: TARIFF,
    });
    assert.equal(await slow.isAccepted('S-BOOTING'), false, 'pending as stored');
    const boot = slow.boot(origin, BOOT);
    await reached;
    // The state is changed in place while its commit runs: a message read now must not pass.
    const during = slow.isAccepted('S-BOOTING');
    fail(new Error('disk full'));
    await assert.rejects(boot, /disk full/);
    assert.equal(await during, false, 'the boot was not kept yet');
    assert.equal(await slow.isAccepted('S-BOOTING'), false, 'the boot was never kept');
  });

  it('knows a replayed TransactionEvent after a restart, also when its seqNo is beyond 32 bits', async () => {
    const origin: Origin = { identity: 'S-SEQ', isCurrent: () => true };
    await service.boot(origin, { ...BOOT, ocppVersion: 'ocpp2.0.1' });
    const start = { connectorId: 1, idTag: 'T', meterStartWh: 0, stationTime: '2026-11-29T10:00:00.000Z', ocppTransactionId: 'TX-SEQ' };
    const reading = (wh: number) => ({ stationTime: '2026-11-29T10:01:00.000Z', samples: [{ measurand: 'Energy.Active.Import.Register', value: wh, unit: 'Wh' }], rawJson: '[]' });
    await service.transactionEvent(origin, { eventType: 'Started', seqNo: 0, start, readings: [] });
    const updated = { eventType: 'Updated' as const, seqNo: 3_000_000_000, start, readings: [reading(500)] };
    assert.equal((await service.transactionEvent(origin, updated)).replay, false);
    // A restarted node reads the state back from LevelDB (the station's lastSeqNo is an int32 there).
    const restarted = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF });
    assert.equal((await restarted.transactionEvent(origin, updated)).replay, true, 'the same event again is a replay');
    assert.equal((await restarted.transactionEvent(origin, { ...updated, seqNo: 3_000_000_001, readings: [reading(600)] })).replay, false);
  });

  describe('2.0.1 seqNos: a run kept in the transaction, a record only for a number out of order', () => {
    const start = (id: string) => ({ connectorId: 1, idTag: 'T', meterStartWh: 0, stationTime: '2026-11-29T10:00:00.000Z', ocppTransactionId: id });
    const reading = (wh: number) => ({ stationTime: `2026-11-29T10:0${wh % 10}:00.000Z`, samples: [{ measurand: 'Energy.Active.Import.Register', value: wh, unit: 'Wh' }], rawJson: `[${wh}]` });
    const event = (id: string, eventType: 'Started' | 'Updated' | 'Ended', seqNo: number) => ({ eventType, seqNo, start: start(id), readings: [reading(seqNo + 1)] });
    const restarted = () => new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF });
    const records = async (identity: string, txId: number, upTo: number) => {
      const out: number[] = [];
      for (let n = 0; n <= upTo; n++) if (await store.stations.hasSeqNo(identity, txId, n)) out.push(n);
      return out;
    };

    it('writes no record for numbers that come in order, and knows each again, also after a restart', async () => {
      const origin: Origin = { identity: 'S-RUN', isCurrent: () => true };
      await service.boot(origin, { ...BOOT, ocppVersion: 'ocpp2.0.1' });
      const started = await service.transactionEvent(origin, event('TX-RUN', 'Started', 0));
      for (const n of [1, 2, 3]) assert.equal((await service.transactionEvent(origin, event('TX-RUN', 'Updated', n))).replay, false);
      assert.deepEqual(await records('S-RUN', started.transaction.id, 10), [], 'the run is in the transaction');
      for (const n of [0, 1, 2, 3]) assert.equal((await service.transactionEvent(origin, event('TX-RUN', 'Updated', n))).replay, true, `${n} again`);
      const later = restarted();
      for (const n of [0, 3]) assert.equal((await later.transactionEvent(origin, event('TX-RUN', 'Updated', n))).replay, true, `${n} again after a restart`);
      assert.equal((await later.transactionEvent(origin, event('TX-RUN', 'Ended', 4))).replay, false);
      for (const n of [2, 4]) assert.equal((await restarted().transactionEvent(origin, event('TX-RUN', 'Updated', n))).replay, true, `${n} of the finished transaction`);
      assert.deepEqual(await records('S-RUN', started.transaction.id, 10), []);
      // An event after the end that was not seen: kept once, as a record (the finished transaction is not rewritten).
      assert.equal((await later.transactionEvent(origin, event('TX-RUN', 'Updated', 6))).replay, false);
      assert.equal((await later.transactionEvent(origin, event('TX-RUN', 'Updated', 6))).replay, true);
      assert.deepEqual(await records('S-RUN', started.transaction.id, 10), [6]);
    });

    it('keeps a number out of order as a record: after a gap, below the first, and after the end; each taken once', async () => {
      const origin: Origin = { identity: 'S-GAPS', isCurrent: () => true };
      await service.boot(origin, { ...BOOT, ocppVersion: 'ocpp2.0.1' });
      const { transaction } = await service.transactionEvent(origin, event('TX-GAPS', 'Started', 5));
      const take = async (who: ChargePointService, type: 'Updated' | 'Ended', n: number) => (await who.transactionEvent(origin, event('TX-GAPS', type, n))).replay;
      assert.equal(await take(service, 'Updated', 7), false, 'after a gap');
      assert.equal(await take(service, 'Updated', 6), false, 'the gap filled');
      assert.equal(await take(service, 'Updated', 3), false, 'below the first');
      assert.deepEqual(await records('S-GAPS', transaction.id, 20), [3, 7]);
      for (const n of [3, 5, 6, 7]) assert.equal(await take(service, 'Updated', n), true, `${n} again`);
      assert.equal(await take(service, 'Updated', 8), false);
      const later = restarted();
      for (const n of [3, 5, 6, 7, 8]) assert.equal(await take(later, 'Updated', n), true, `${n} again after a restart`);
      assert.equal(await take(later, 'Ended', 9), false);
      assert.equal(await take(later, 'Updated', 4), false, 'a late event after the end, not seen before');
      assert.equal(await take(later, 'Updated', 4), true, 'and again');
      assert.equal(await take(restarted(), 'Updated', 9), true);
      const kept = await store.stations.readings('S-GAPS', transaction.id);
      assert.deepEqual(kept.map((r) => r.sampledValuesJson).sort(), ['[10]', '[4]', '[5]', '[6]', '[7]', '[8]', '[9]'], 'each event\'s reading once');
    });

    it('knows a replay after a number beyond 32 bits and a restart (lastSeqNo is an int32 there)', async () => {
      const origin: Origin = { identity: 'S-BIGSEQ', isCurrent: () => true };
      await service.boot(origin, { ...BOOT, ocppVersion: 'ocpp2.0.1' });
      await service.transactionEvent(origin, event('TX-BIG', 'Started', 0));
      assert.equal((await service.transactionEvent(origin, event('TX-BIG', 'Updated', 1))).replay, false);
      assert.equal((await service.transactionEvent(origin, event('TX-BIG', 'Updated', 3_000_000_000))).replay, false);
      const later = restarted();
      for (const n of [1, 0, 3_000_000_000]) assert.equal((await later.transactionEvent(origin, event('TX-BIG', 'Updated', n))).replay, true, `${n} again`);
      assert.equal((await later.transactionEvent(origin, event('TX-BIG', 'Updated', 2))).replay, false, 'a number not seen');
    });

    it('reads a transaction opened by an older version (a record for every number) as before', async () => {
      const origin: Origin = { identity: 'S-OLDSEQ', isCurrent: () => true };
      await service.boot(origin, { ...BOOT, ocppVersion: 'ocpp2.0.1' });
      const { transaction } = await service.transactionEvent(origin, event('TX-OLD', 'Started', 0));
      const state = (await store.stations.loadState('S-OLDSEQ'))!;
      const old = state.transactions[transaction.id]!;
      Object.assign(old, { seqNoRun: false, seqNoRunFirst: 0, seqNoRunLast: 0, seqNoOutliers: false, lastSeqNo: 2 });
      await store.commit({ ...emptyChange('S-OLDSEQ', state), seqNos: [0, 1, 2].map((seqNo) => ({ transactionId: transaction.id, seqNo })) });
      const later = restarted();
      for (const n of [0, 1, 2]) assert.equal((await later.transactionEvent(origin, event('TX-OLD', 'Updated', n))).replay, true, `${n} again`);
      assert.equal((await later.transactionEvent(origin, event('TX-OLD', 'Updated', 3))).replay, false);
      assert.equal((await restarted().transactionEvent(origin, event('TX-OLD', 'Updated', 3))).replay, true, 'recorded as before');
    });
  });

  it('writes the replay key of the consumer request a change carries out with that change, and only once it commits', async () => {
    const minute = Math.floor(Date.now() / 60_000);
    const carried = (await store.nonces.claim(minute, 'aa', '01'))!;
    await service.update('S-REQ', ({ state }) => { state.remoteStartCounter++; }, carried);
    assert.equal(carried.recorded, true, 'durable with the change');
    const refused = (await store.nonces.claim(minute, 'aa', '02'))!;
    await assert.rejects(service.update('S-REQ', () => { throw new Error('refused'); }, refused), /refused/);
    assert.equal(refused.recorded, false, 'a change that did not commit carried nothing');
    const failing = new ChargePointService({
      repository: { stations: store.stations, sessions: store.sessions, commit: () => Promise.reject(new Error('disk full')) },
      authorization: { acceptUnknownIdTags: true },
      tariff: TARIFF,
    });
    await assert.rejects(failing.update('S-REQ', ({ state }) => { state.remoteStartCounter++; }, refused), /disk full/);
    assert.equal(refused.recorded, false, 'nor did a failed commit');
    await store.nonces.settle(carried);
    await store.nonces.settle(refused);
    await store.close();
    store = await LevelStore.open(dir);
    service = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF });
    assert.equal(await store.nonces.claim(minute, 'aa', '01'), undefined, 'the carried one is refused after a restart');
    assert.equal(await store.nonces.claim(minute, 'aa', '02'), undefined, 'and the settled one');
  });

  it('serialises concurrent messages of one station (no lost update)', async () => {
    const origin: Origin = { identity: 'S3', isCurrent: () => true };
    await service.boot(origin, BOOT);
    const starts = Array.from({ length: 20 }, (_, i) => service.startTransaction(origin, { connectorId: i + 1, idTag: 'A', meterStartWh: i, stationTime: `t${i}` }));
    const ids = (await Promise.all(starts)).map((r) => r.transactionId);
    assert.deepEqual(new Set(ids).size, 20);
    assert.equal(Object.keys((await store.stations.loadState('S3'))!.transactions).length, 20);
  });

  it('a new transaction (1.6 or 2.0.1) never takes the id of a finished one, also when the station counter went back', async () => {
    const origin: Origin = { identity: 'S-IDS', isCurrent: () => true };
    await service.boot(origin, BOOT);
    for (let i = 0; i < 2; i++) {
      const { transactionId } = await service.startTransaction(origin, { connectorId: 1, idTag: 'A', meterStartWh: i, stationTime: `2026-11-29T10:0${i}:00.000Z` });
      await service.stopTransaction(origin, transactionId, { meterStopWh: i + 1, stationTime: `2026-11-29T10:0${i}:30.000Z` }, { readings: [] });
    }
    // The state as an older copy had it (counter at 0), with transactions 1 and 2 finished in storage.
    const state = (await store.stations.loadState('S-IDS'))!;
    state.currentTransactionId = 0;
    await store.commit(emptyChange('S-IDS', state));
    const restarted = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF });
    const started = await restarted.startTransaction(origin, { connectorId: 1, idTag: 'A', meterStartWh: 5, stationTime: '2026-11-29T11:00:00.000Z' });
    assert.equal(started.transactionId, 3);
    await restarted.stopTransaction(origin, 3, { meterStopWh: 6, stationTime: '2026-11-29T11:00:30.000Z' }, { readings: [] });
    const again = (await store.stations.loadState('S-IDS'))!;
    again.currentTransactionId = 1;
    await store.commit(emptyChange('S-IDS', again));
    const later = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF });
    const event = await later.transactionEvent(origin, {
      eventType: 'Started', seqNo: 0, readings: [],
      start: { connectorId: 2, idTag: 'A', meterStartWh: 0, stationTime: '2026-11-29T12:00:00.000Z', ocppTransactionId: 'TX-NEW' },
    });
    assert.equal(event.transaction.id, 4, 'ids 2 and 3 are finished transactions');
  });
});

describe('domain rules', () => {
  it('transaction ids count up from the station counter, wrap before int32 overflow and skip open ones', () => {
    const state = emptyState('X');
    assert.equal(nextTransactionId(state), 1);
    state.currentTransactionId = 2 ** 31 - 1;
    state.transactions[1] = { id: 1 } as never;
    assert.equal(nextTransactionId(state), 2);
  });

  it('authorizes from the local list with expiry; unknown tags by policy', () => {
    const state = emptyState('X');
    state.authList.T1 = { publicKey: 'k', transactionId: 0, authData: { idTag: 'T1', idTagInfo: { status: 'Accepted', expiryDate: '2026-12-01T00:00:00Z', parentIdTag: '' } } };
    const now = new Date('2026-11-21T00:00:00Z');
    assert.equal(authorize(state, 'T1', { acceptUnknownIdTags: false }, now).status, 'Accepted');
    assert.equal(authorize(state, 'T1', { acceptUnknownIdTags: false }, new Date('2027-01-01T00:00:00Z')).status, 'Expired');
    assert.equal(authorize(state, 'T2', { acceptUnknownIdTags: false }, now).status, 'Invalid');
    assert.equal(authorize(state, 'T2', { acceptUnknownIdTags: true }, now).status, 'Accepted');
  });

  it('reads energy in Wh and the charging status from samples', () => {
    const samples = [
      { measurand: 'Energy.Active.Import.Register', value: 12.5, unit: 'kWh' },
      { measurand: 'Current.Import', value: 10, unit: 'A', phase: 'L1' },
      { measurand: 'Current.Import', value: 12, unit: 'A', phase: 'L2' },
      { measurand: 'Voltage', value: 230, unit: 'V' },
    ];
    assert.equal(energyRegisterWh(samples), 12_500);
    assert.deepEqual(chargingStatus(samples), { currentOffered: 12, currentUnit: 'A', voltageOffered: 230, voltageUnit: 'V' });
    assert.equal(chargingStatus([{ measurand: 'Temperature', value: 20, unit: 'Celsius' }]), undefined);
    assert.equal(energyRegisterWh([{ measurand: 'Energy.Active.Import.Register', value: 1, unit: 'Furlongs' }]), undefined);
  });
});
