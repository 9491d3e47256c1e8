import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { emptyChange } from '../../../src/domain/change.ts';
import { LevelDatabase } from '../../../src/store/level-database.ts';
import { LevelStore } from '../../../src/store/level-store.ts';
import { tempDir } from '../../helpers/gateway.ts';
import { repositorySuite } from './repository-suite.ts';

const dir = tempDir();
repositorySuite('LevelDB', async () => {
  const store = await LevelStore.open(dir);
  return { repos: store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

describe('LevelDB store: what lasts across a reopen, and what deleting a station removes', () => {
  const folder = tempDir();
  let store: LevelStore;
  before(async () => { store = await LevelStore.open(folder); });
  after(async () => {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const event = (topic: string, seq: number, followed = true) => ({ topic, seq, envelope: new Uint8Array([seq]), followed });
  const payout = (sessionId: string, state: string, callHash: string) => ({
    consumerKeyHex: 'c1', sessionId, kind: 'spent', seq: 0, state, callHash, amount: '5', station: 'LS-1',
  }) as never;

  it('continues event numbering and outbox order after a reopen, and keeps published events for catch-up', async () => {
    await store.commit({ ...emptyChange('LS-1', emptyState('LS-1')), outbox: [event('t1', 1), event('t1', 2)] });
    const [first] = await store.events.outboxEntries(10);
    await store.events.removeOutbox([first!.id]);
    await store.close();
    store = await LevelStore.open(folder);
    await store.commit({ ...emptyChange('LS-1', emptyState('LS-1')), outbox: [event('t2', 1)] });
    assert.deepEqual((await store.events.outboxEntries(10)).map((e) => `${e.topic}/${e.seq}`), ['t1/2', 't2/1'], 'the new event after the one still waiting');
    assert.deepEqual([...(await store.events.topicSeqs())].sort(), [['t1', 2], ['t2', 1]]);
    assert.deepEqual((await store.events.eventsAfter('t1', 0, 10)).map((e) => e[0]), [1, 2]);
    assert.equal(await store.events.outboxSize(), 2);
  });

  it('archives an event no peer follows without queueing it for publishing, and numbers on', async () => {
    await store.commit({ ...emptyChange('LS-1', emptyState('LS-1')), outbox: [event('quiet', 1, false), event('quiet', 2, false)] });
    assert.ok((await store.events.outboxEntries(100)).every((e) => e.topic !== 'quiet'), 'nothing queued');
    assert.deepEqual((await store.events.eventsAfter('quiet', 0, 10)).map((e) => e[0]), [1, 2], 'both archived for catch-up');
    await store.close();
    store = await LevelStore.open(folder);
    assert.equal((await store.events.topicSeqs()).get('quiet'), 2, 'the numbering continues after a reopen');
  });

  it('lists an open payout until a later change closes it, and drops a debt paid down to zero', async () => {
    const debt = (amount: string) => ({ consumerKeyHex: 'c1', sessionId: 'S1', amount, station: 'LS-1' }) as never;
    await store.commit({ ...emptyChange('LS-1', emptyState('LS-1')), payouts: [payout('S1', 'open', '0xaa')], debts: [debt('7')] });
    assert.deepEqual((await store.settlements.openPayouts()).map((p) => p.callHash), ['0xaa']);
    assert.equal(await store.settlements.count('debts'), 1);
    await store.commit({ ...emptyChange('LS-1', emptyState('LS-1')), payouts: [payout('S1', 'executed', '0xaa')], debts: [debt('0')] });
    assert.deepEqual(await store.settlements.openPayouts(), []);
    assert.deepEqual((await store.settlements.payouts('c1')).map((p) => p.state), ['executed']);
    assert.deepEqual(await store.settlements.debts(), []);
  });

  // A request's (signer, nonce) as the request server handles it: claimed, then settled (written).
  const recordNonce = async (nonces: LevelStore['nonces'], minute: number, signerHex: string, nonceHex: string): Promise<boolean> => {
    const claim = await nonces.claim(minute, signerHex, nonceHex);
    if (claim) await nonces.settle(claim);
    return claim !== undefined;
  };

  it('accepts a request nonce once, also when asked twice at the same moment, until its minute is dropped', async () => {
    const results = await Promise.all([recordNonce(store.nonces, 100, 'ab', '01'), recordNonce(store.nonces, 100, 'ab', '01')]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal(await recordNonce(store.nonces, 100, 'ab', '01'), false);
    await store.nonces.dropNoncesBefore(101);
    assert.equal(await recordNonce(store.nonces, 100, 'ab', '01'), true);
  });

  it('refuses a nonce recorded before a restart, whatever the clocks say; one the store recorded itself, from memory', async () => {
    const dir = tempDir();
    const minute = Math.floor(Date.now() / 60_000);
    const first = await LevelStore.open(dir);
    // Recorded under a minute far ahead (a request stamped by a clock that runs fast).
    assert.equal(await recordNonce(first.nonces, minute + 500, 'cd', '01'), true);
    await first.close();
    const second = await LevelStore.open(dir);
    try {
      assert.equal(await recordNonce(second.nonces, minute + 500, 'cd', '01'), false, 'a replay across the restart is refused');
      // A later minute than any stored at opening: no earlier process can have recorded it.
      assert.equal(await recordNonce(second.nonces, minute + 501, 'cd', '02'), true);
      assert.equal(await recordNonce(second.nonces, minute + 501, 'cd', '02'), false, 'a replay in the same process is refused');
      await second.nonces.dropNoncesBefore(minute + 502);
      assert.equal(await recordNonce(second.nonces, minute + 501, 'cd', '02'), true, 'until its minute is dropped');
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a request nonce in the batch of the change that carries it, and holds a claim until it is settled', async () => {
    const dir = tempDir();
    const minute = Math.floor(Date.now() / 60_000);
    const first = await LevelStore.open(dir);
    const carried = (await first.nonces.claim(minute, 'ef', '01'))!;
    const unsettled = (await first.nonces.claim(minute, 'ef', '02'))!;
    assert.equal(await first.nonces.claim(minute, 'ef', '01'), undefined, 'a request under way is refused again');
    await first.commit({ ...emptyChange('LS-N', emptyState('LS-N')), requests: [carried] });
    // What the charge point service marks once the change committed: settling writes nothing more.
    carried.recorded = true;
    await first.nonces.settle(carried);
    assert.equal(await first.nonces.claim(minute, 'ef', '01'), undefined, 'refused from memory once settled');
    await first.close();
    const second = await LevelStore.open(dir);
    try {
      assert.equal(await second.nonces.claim(minute, 'ef', '01'), undefined, 'the nonce the change carried is durable');
      assert.ok(await second.nonces.claim(minute, 'ef', '02'), 'a claim neither carried nor settled was never written');
      assert.equal(unsettled.recorded, false);
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('settling a claim again leaves alone a later claim of the same key', async () => {
    const earlier = (await store.nonces.claim(300, 'ef', '03'))!;
    await store.nonces.settle(earlier);
    // Its minute dropped (the freshness window passed), the key is claimed anew.
    await store.nonces.dropNoncesBefore(301);
    const later = (await store.nonces.claim(300, 'ef', '03'))!;
    await store.nonces.settle(earlier);
    assert.equal(await store.nonces.claim(300, 'ef', '03'), undefined, 'the later claim is still held');
    assert.equal(later.recorded, false);
    await store.nonces.settle(later);
    assert.equal(later.recorded, true);
  });

  it('deletes a station with its records, certificates and configuration snapshots, and keeps its consumers\' sessions and payouts', async () => {
    const state = emptyState('LS-DEL');
    const session = { id: 'sd', consumerKeyHex: 'c9', createdAt: '2026-12-06T10:00:00.000Z' } as never;
    await store.commit({
      ...emptyChange('LS-DEL', state),
      finished: [{ id: 1, connectorId: 1 } as never],
      startKeys: [{ key: 'k', transactionId: 1 }],
      readings: [{ connectorId: 1, transactionId: 1, reading: { stationTime: 't', rawJson: '[]' }, source: 'MeterValues', receivedAt: 't' }],
      finishedSessions: [session],
      payouts: [{ ...(payout('sd', 'executed', '0xdd') as object), consumerKeyHex: 'c9' } as never],
    });
    await store.certificates.updateCertificates('LS-DEL', [{ serialNumber: '1', issuerKeyHash: 'ff', certificateType: 'V2GRootCertificate' } as never], []);
    await store.configurations.put('LS-DEL', { takenAt: '2026-12-06T10:00:00.000Z', source: 'GetConfiguration', variables: [], unknownKeys: [] }, 10);
    await store.deleteStation('LS-DEL');
    assert.equal(await store.stations.loadState('LS-DEL'), undefined);
    assert.equal(await store.stations.loadFinished('LS-DEL', 1), undefined);
    assert.equal(await store.stations.findStartKey('LS-DEL', 'k'), undefined);
    assert.deepEqual(await store.stations.readings('LS-DEL'), []);
    assert.deepEqual(await store.certificates.certificates('LS-DEL'), []);
    assert.deepEqual(await store.configurations.takenAt('LS-DEL'), []);
    assert.deepEqual((await store.sessions.ofConsumer('c9')).map((s) => s.id), ['sd']);
    assert.equal((await store.settlements.payouts('c9')).length, 1);
  });
});

describe('LevelDB write buffer (storage.writeBufferMb)', () => {
  const tables = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.ldb')).length;

  // 8 MiB of station states rewritten and new records: LevelDB's own 4 MiB buffer writes tables
  // out (and compacts them) along the way, a 32 MiB one keeps them all in memory until later.
  async function writeEightMiB(options: { writeBufferBytes?: number }): Promise<number> {
    const folder = tempDir();
    const db = await LevelDatabase.open(folder, { sync: false, ...options });
    try {
      const value = new Uint8Array(1024).fill(7);
      for (let batch = 0; batch < 128; batch++) {
        await db.write(Array.from({ length: 64 }, (_, i) => ({ type: 'put' as const, key: `mv:WB-1:${batch}:${i}`, value })));
      }
      // A buffer that is full is written out by LevelDB's own thread, soon after.
      for (let i = 0; i < 40 && tables(folder) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      return tables(folder);
    } finally {
      await db.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it('keeps writes in memory up to the configured buffer before writing a table', async () => {
    assert.ok((await writeEightMiB({})) > 0, 'with LevelDB\'s default buffer the writes went out as tables');
    assert.equal(await writeEightMiB({ writeBufferBytes: 32 * 2 ** 20 }), 0, 'with a 32 MiB buffer no table was written yet');
  });

  it('writes its buffer out when it closes, so the next start reads back no log', async () => {
    const folder = tempDir();
    try {
      const db = await LevelDatabase.open(folder, { sync: false, writeBufferBytes: 32 * 2 ** 20 });
      const value = new Uint8Array(1024).fill(7);
      for (let batch = 0; batch < 32; batch++) await db.write(Array.from({ length: 64 }, (_, i) => ({ type: 'put' as const, key: `cp:WB-${i}`, value })));
      await db.close();
      const logBytes = readdirSync(folder).filter((f) => f.endsWith('.log')).reduce((sum, f) => sum + statSync(join(folder, f)).size, 0);
      assert.equal(logBytes, 0, 'the log holds nothing to read back');
      assert.ok(tables(folder) > 0, 'the writes are in a table');
      const again = await LevelDatabase.open(folder, { sync: false });
      assert.equal((await again.get('cp:WB-63'))?.length, 1024, 'and nothing was lost');
      await again.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
