// kill -9 of the gateway process mid-traffic: nothing a station was told was accepted is lost,
// the stations' retries (new message ids) never double a transaction, and every station's
// signed event log stays gapless and verifiable (what the outbox still holds is part of it).
// `npm run soak` runs the same with CGW_SOAK_CYCLES=25 and prints the totals.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrCreateGatewayKey } from '../../src/crypto/gateway-key.ts';
import { inSeqNoRun } from '../../src/domain/transactions.ts';
import { DOMAIN, open } from '../../src/p2p/envelope.ts';
import { stationTopic } from '../../src/p2p/protocol.ts';
import { LevelStore } from '../../src/store/level-store.ts';
import { tempDir } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { SimStation } from '../helpers/station-sim.ts';

const CYCLES = Number(process.env.CGW_SOAK_CYCLES ?? 3);

/** Every station topic's events: seq 1..n with no gap and no repeat, each signed by the gateway; the outbox only holds logged events. */
async function verifyEvents(store: LevelStore, sims: SimStation[], gatewayKey: Uint8Array): Promise<number> {
  let events = 0;
  for (const sim of sims) {
    const topic = stationTopic(sim.identity);
    const log = await store.events.eventsAfter(topic, 0, 1_000_000);
    for (const [i, bytes] of log.entries()) {
      const envelope = await open(bytes, { domain: DOMAIN.event, signer: gatewayKey });
      assert.equal(envelope.topic, topic);
      assert.equal(envelope.seq, i + 1, `${sim.identity}: event log has a gap or repeat at ${i + 1}`);
    }
    events += log.length;
  }
  for (const entry of await store.events.outboxEntries(1_000_000)) {
    const logged = await store.events.eventsAfter(entry.topic, entry.seq - 1, 1);
    assert.ok(logged[0] && Buffer.from(logged[0]).equals(Buffer.from(entry.envelope)), `outbox entry ${entry.topic}#${entry.seq} is the logged event, byte for byte`);
  }
  return events;
}

async function verify(dataDir: string, sims: SimStation[], final: boolean): Promise<number> {
  const store = await LevelStore.open(join(dataDir, 'state'));
  const { key } = await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'));
  try {
    for (const sim of sims) {
      const id = sim.identity;
      const state = await store.stations.loadState(id);
      assert.ok(state, `${id} has state`);
      const finished = await store.stations.finishedTransactions(id);
      const all = [...Object.values(state.transactions), ...finished];
      const readings = new Set((await store.stations.readings(id)).map((r) => `${r.transactionId}|${r.stationTime}`));
      if (sim.version === 'ocpp1.6') {
        for (const [key, txId] of sim.acked.starts) {
          const tx = all.find((t) => t.id === txId);
          assert.ok(tx, `${id}: acknowledged transaction ${txId} lost`);
          assert.equal(JSON.stringify([tx.connectorId, tx.idTag, tx.startMeter, tx.startTime]), key);
        }
        const byKey = new Map<string, number>();
        for (const t of all) {
          const key = JSON.stringify([t.connectorId, t.idTag, t.startMeter, t.startTime]);
          byKey.set(key, (byKey.get(key) ?? 0) + 1);
        }
        for (const [key, n] of byKey) assert.equal(n, 1, `${id}: transaction ${key} stored ${n} times`);
        for (const mv of sim.acked.meterValues) assert.ok(readings.has(mv), `${id}: acknowledged meter value ${mv} lost`);
        for (const txId of sim.acked.stops) assert.ok(finished.some((t) => t.id === txId), `${id}: acknowledged stop of ${txId} lost`);
        if (final) assert.equal(finished.length, sim.acked.stops.size, `${id}: finished transactions match the station's log exactly`);
      } else {
        for (const event of sim.acked.events) {
          const [txId, seq] = event.split('|');
          const localId = await store.stations.findOcppTransaction(id, txId!);
          assert.ok(localId !== undefined, `${id}: acknowledged transaction ${txId} lost`);
          // Numbers in order are a run in the transaction; any other has a record of its own.
          const tx = all.find((t) => t.id === localId);
          const kept = (tx !== undefined && inSeqNoRun(tx, Number(seq))) || (await store.stations.hasSeqNo(id, localId, Number(seq)));
          assert.ok(kept, `${id}: acknowledged event ${event} lost`);
        }
        const perOcppId = new Map<string, number>();
        for (const t of all) perOcppId.set(t.ocppTransactionId, (perOcppId.get(t.ocppTransactionId) ?? 0) + 1);
        for (const [txId, n] of perOcppId) assert.equal(n, 1, `${id}: transaction ${txId} stored ${n} times`);
        for (const txId of sim.acked.ended) assert.ok(finished.some((t) => t.ocppTransactionId === txId), `${id}: acknowledged end of ${txId} lost`);
        if (final) assert.equal(finished.length, sim.acked.ended.size);
      }
    }
    return await verifyEvents(store, sims, key.publicKey);
  } finally {
    await store.close();
  }
}

describe('crash consistency (kill -9 mid-traffic)', () => {
  const dataDir = tempDir('cgw-crash-');
  let gateway: GatewayProcess | undefined;
  after(async () => {
    await gateway?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses and doubles nothing over ${CYCLES} kill -9 cycles`, async (t) => {
    const env = { CGW_DATA_DIR: dataDir, CGW_OCPP_ACCEPT_UNKNOWN_ID_TAGS: 'true' };
    gateway = await spawnGateway(env);
    const sims = [
      new SimStation(gateway.ocppUrl, 'CRASH-16-A', 'ocpp1.6'),
      new SimStation(gateway.ocppUrl, 'CRASH-16-B', 'ocpp1.6'),
      new SimStation(gateway.ocppUrl, 'CRASH-201-A', 'ocpp2.0.1'),
      new SimStation(gateway.ocppUrl, 'CRASH-201-B', 'ocpp2.0.1'),
    ];
    await Promise.all(sims.map((s) => s.start()));
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Each cycle kills the node while the stations are mid-traffic, after each of them has
      // completed a session since the last restart (on a loaded machine that takes longer).
      const done = sims.map((s) => s.completedSessions);
      await eventually(() => sims.every((s, i) => s.completedSessions > done[i]!), 60_000, 'a station completed no session since the restart')
        .catch((err: Error) => { throw new Error(`${err.message} (cycle ${cycle}): ${sims.map((s) => s.describe()).join('; ')}`); });
      await new Promise((r) => setTimeout(r, Math.random() * 500));
      assert.equal(await gateway.kill('SIGKILL'), null, 'killed by the signal');
      await verify(dataDir, sims, false);
      gateway = await spawnGateway(env);
      for (const sim of sims) sim.reconnect(gateway.ocppUrl);
    }
    await eventually(() => sims.every((s) => s.completedSessions > CYCLES), 60_000, 'stations kept charging across the restarts');
    await Promise.all(sims.map((s) => s.stop()));
    assert.equal(await gateway.kill('SIGTERM'), 0, 'a graceful stop exits 0');
    const events = await verify(dataDir, sims, true);
    const acked = sims.reduce((n, s) => n + s.acked.starts.size + s.acked.meterValues.size + s.acked.stops.size + s.acked.events.size + s.acked.statuses, 0);
    t.diagnostic(`${CYCLES} kill -9 cycles: ${acked} acknowledged transaction messages and ${events} signed events checked; 0 lost, 0 doubled`);
  });
});
