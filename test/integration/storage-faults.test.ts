// Storage faults with the node as its own process: a data folder that cannot be written any
// more (a file size limit, RLIMIT_FSIZE, stands in for a full disk: the write fails the same
// way, inside LevelDB), descriptors that run out under LevelDB and come back (the limit lowered
// and raised at run time), and a read-only data folder (the node runs without root's power to
// write anywhere, so file modes apply). A folder held by another node: restart.test.ts. The node names the fault,
// stops taking work, and loses nothing it acknowledged.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { LevelStore } from '../../src/store/level-store.ts';
import { stationTopic } from '../../src/p2p/protocol.ts';
import { codecFor } from '../../src/proto/codec.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

// Big enough for the node to start, small enough to be reached in a few hundred messages.
const FILE_LIMIT = 256 * 1024;

/** Sends one CALL; resolves with the answer, or with the close code if the socket closes first. */
function call(ws: WebSocket, id: string, action: string, payload: object): Promise<{ answer?: unknown[]; closed?: number; reason?: string }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(data.toString()) as unknown[];
      if (frame[1] !== id) return;
      ws.off('close', onClose);
      ws.off('message', onMessage);
      resolve({ answer: frame });
    };
    const onClose = (code: number, reason: Buffer): void => {
      ws.off('message', onMessage);
      resolve({ closed: code, reason: reason.toString() });
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify([2, id, action, payload]));
  });
}

/** A station that boots and starts a transaction: its socket and the transaction id. */
async function chargingStation(node: GatewayProcess, identity: string): Promise<{ ws: WebSocket; transactionId: number }> {
  const ws = new WebSocket(`${node.ocppUrl}/${identity}`, 'ocpp1.6');
  await once(ws, 'open');
  assert.equal((await call(ws, 'b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).answer?.[0], 3);
  const start = await call(ws, 's', 'StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: '2026-11-21T10:00:00Z' });
  return { ws, transactionId: (start.answer?.[2] as { transactionId: number }).transactionId };
}

/** Meter values (one a minute of station time) until one is refused: the times acknowledged, and the refusal. */
async function meterUntilRefused(ws: WebSocket, transactionId: number, sampledValue: object[], max: number) {
  const acknowledged: string[] = [];
  let refusal: { closed?: number; reason?: string } | undefined;
  for (let i = 0; i < max && !refusal; i++) {
    const timestamp = new Date(Date.parse('2026-11-21T10:00:00Z') + (i + 1) * 60_000).toISOString();
    const r = await call(ws, `m${i}`, 'MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp, sampledValue }] });
    if (r.answer?.[0] === 3) acknowledged.push(timestamp);
    else refusal = r;
  }
  return { acknowledged, refusal };
}

/** Once /readyz is back, the station reconnects and continues: the time of its acknowledged meter value. */
async function continuesAfterRecovery(node: GatewayProcess, identity: string, transactionId: number): Promise<string> {
  await eventually(async () => (await fetch(`${node.admin}/readyz`).catch(() => undefined))?.ok, 20_000, '/readyz never recovered');
  const back = new WebSocket(`${node.ocppUrl}/${identity}`, 'ocpp1.6');
  await once(back, 'open');
  const at = '2026-11-22T09:00:00.000Z';
  const resumed = await call(back, 'm-resumed', 'MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: at, sampledValue: [{ value: '4000' }] }] });
  assert.equal(resumed.answer?.[0], 3, 'the station continues once storage works again');
  back.close();
  return at;
}

/** Every acknowledged meter value is in the data folder (the node stopped). */
async function assertAllStored(dataDir: string, identity: string, acknowledged: string[]): Promise<void> {
  const store = await LevelStore.open(join(dataDir, 'state'));
  try {
    const stored = new Set((await store.stations.readings(identity)).map((r) => r.stationTime));
    for (const at of acknowledged) assert.ok(stored.has(at), `acknowledged meter value ${at} lost`);
  } finally {
    await store.close();
  }
}

describe('storage faults', () => {
  const dataDir = tempDir('cgw-storage-');
  const env = { CGW_DATA_DIR: dataDir, CGW_OCPP_ACCEPT_UNKNOWN_ID_TAGS: 'true' };
  let gateway: GatewayProcess | undefined;
  after(async () => {
    await gateway?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when writes fail: the station is not answered for what was not stored, is disconnected (1011), new stations get 503, /readyz says why; once writes work again the node resumes by itself', async (t) => {
    gateway = await spawnGateway(env, { fileSizeLimitBytes: FILE_LIMIT });
    const { ws, transactionId } = await chargingStation(gateway, 'DISK-CP');
    const bulky = Array.from({ length: 20 }, (_, i) => ({ value: String(1000 + i), measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', phase: 'L1', unit: 'Wh' }));
    const { acknowledged, refusal } = await meterUntilRefused(ws, transactionId, bulky, 2_000);
    assert.ok(refusal, 'the writes failed at some point');
    assert.equal(refusal.closed, 1011, `disconnected with 1011, got ${JSON.stringify(refusal)}`);
    assert.match(refusal.reason ?? '', /storage unavailable/);
    assert.ok(acknowledged.length > 10, `${acknowledged.length} meter values were stored before`);

    const retry = new WebSocket(`${gateway.ocppUrl}/DISK-CP`, 'ocpp1.6');
    retry.on('error', () => {}); // aborting a refused handshake reports one
    const [, response] = (await once(retry, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 503, 'a station that reconnects is refused while storage is broken');
    retry.terminate();

    const ready = await fetch(`${gateway.admin}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(JSON.stringify(await ready.json()), /writing to the data folder failed/);
    await eventually(() => gateway!.output.some((l) => l.includes('storage failed')), 5_000, 'the node logs the storage failure');

    // The disk is freed (the file size limit lifted from outside): the node resumes by itself,
    // without a restart (seen: /readyz stayed 503 and stations were refused until an operator restarted it).
    execFileSync('prlimit', ['--pid', String(gateway.child.pid), `--fsize=unlimited`]);
    acknowledged.push(await continuesAfterRecovery(gateway, 'DISK-CP', transactionId));

    // Restarted: everything that was acknowledged is there.
    await gateway.kill('SIGKILL');
    await assertAllStored(dataDir, 'DISK-CP', acknowledged);
    gateway = await spawnGateway(env);
    const again = new WebSocket(`${gateway.ocppUrl}/DISK-CP`, 'ocpp1.6');
    await once(again, 'open');
    const later = await call(again, 'm-after', 'MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: '2026-11-22T10:00:00Z', sampledValue: [{ value: '5000' }] }] });
    assert.equal(later.answer?.[0], 3, 'the station continues its transaction once storage works');
    t.diagnostic(`${acknowledged.length} meter values acknowledged before the write failed, all found after the restart`);
    again.close();
  });

  it('a topic\'s event numbers have no gap after a failed write (seen: the change that failed kept its number, and the next event skipped it)', async () => {
    const dir = tempDir('cgw-gap-');
    const node = await spawnGateway({ CGW_DATA_DIR: dir }, { fileSizeLimitBytes: FILE_LIMIT });
    try {
      const identity = 'GAP-CP';
      const ws = new WebSocket(`${node.ocppUrl}/${identity}`, 'ocpp1.6');
      await once(ws, 'open');
      assert.equal((await call(ws, 'b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).answer?.[0], 3);
      // Every status change is an event on the station's topic: until one is refused.
      let refused = false;
      for (let i = 0; i < 5_000 && !refused; i++) {
        const r = await call(ws, `s${i}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 2 ? 'Preparing' : 'Available', info: 'x'.repeat(50) });
        refused = r.answer?.[0] !== 3;
      }
      assert.ok(refused, 'the writes failed at some point');
      execFileSync('prlimit', ['--pid', String(node.child.pid), '--fsize=unlimited']);
      await eventually(async () => (await fetch(`${node.admin}/readyz`).catch(() => undefined))?.ok, 20_000, '/readyz never recovered');
      const back = new WebSocket(`${node.ocppUrl}/${identity}`, 'ocpp1.6');
      await once(back, 'open');
      for (const [i, status] of ['Faulted', 'Available'].entries()) {
        assert.equal((await call(back, `after${i}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status })).answer?.[0], 3);
      }
      back.close();
      await node.kill('SIGTERM');
      const store = await LevelStore.open(join(dir, 'state'));
      try {
        const envelopes = codecFor('cgw.SignedEnvelope');
        const seqs = (await store.events.eventsAfter(stationTopic(identity), 0, 100_000)).map((e) => envelopes.decode(e).seq);
        assert.ok(seqs.length > 10, `${seqs.length} events`);
        assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `numbers with a gap: ${seqs.filter((n, i) => n !== i + 1).slice(0, 3).join(', ')}`);
      } finally {
        await store.close();
      }
    } finally {
      await node.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when LevelDB runs out of descriptors: the node stops taking work, then resumes by itself once it has them again; nothing acknowledged is lost', async (t) => {
    const dir = tempDir('cgw-nofile-');
    // A 4 MiB write buffer: full (and a new log and table opened) within the load below.
    const node = await spawnGateway({ CGW_DATA_DIR: dir, CGW_OCPP_ACCEPT_UNKNOWN_ID_TAGS: 'true', CGW_STORAGE_WRITE_BUFFER_MB: '4' });
    try {
      const pid = node.child.pid!;
      const { ws, transactionId } = await chargingStation(node, 'FD-CP');
      // No descriptor to spare from now on: the next file LevelDB opens (a new log and table
      // once its write buffer is full) fails with EMFILE.
      // The limit bounds the number a new descriptor gets: below the lowest free one, none is given.
      const used = new Set(readdirSync(`/proc/${pid}/fd`).map(Number));
      let open = 0;
      while (used.has(open)) open++;
      // The soft limit only: the hard one stays, so it can be raised again from outside.
      const hard = /Max open files\s+\d+\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))![1]!;
      execFileSync('prlimit', ['--pid', String(pid), `--nofile=${open}:${hard}`]);
      const { acknowledged, refusal } = await meterUntilRefused(ws, transactionId, [{ value: '7'.repeat(50_000), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }], 400);
      assert.ok(refusal, 'a write failed once LevelDB needed a descriptor');
      assert.equal(refusal.closed, 1011, JSON.stringify(refusal));
      await eventually(() => node.output.some((l) => l.includes('storage failed') && /EMFILE|Too many open files|IO error/i.test(l)), 5_000, 'the node logs the failure with its cause');
      // Descriptors back (sockets closed, the limit raised): no restart needed.
      execFileSync('prlimit', ['--pid', String(pid), `--nofile=${hard}:${hard}`]);
      acknowledged.push(await continuesAfterRecovery(node, 'FD-CP', transactionId));
      await node.kill('SIGKILL');
      await assertAllStored(dir, 'FD-CP', acknowledged);
      t.diagnostic(`${acknowledged.length} meter values acknowledged, all found after the restart`);
    } finally {
      await node.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a read-only data folder: the node refuses to start and names the folder', async () => {
    const fresh = tempDir('cgw-readonly-');
    const used = tempDir('cgw-readonly-used-');
    try {
      chmodSync(fresh, 0o555);
      await assert.rejects(spawnGateway({ CGW_DATA_DIR: fresh }, { obeyFileModes: true }), (err: Error) => {
        assert.match(err.message, new RegExp(`cannot open the data folder ${fresh}/state: EACCES`));
        assert.match(err.message, /exited with 1/);
        return true;
      });
      // A folder with state in it, turned read-only (a remount, a wrong owner after a restore).
      const first = await spawnGateway({ CGW_DATA_DIR: used });
      assert.equal(await first.kill('SIGTERM'), 0);
      execFileSync('chmod', ['-R', 'a-w', used]);
      await assert.rejects(spawnGateway({ CGW_DATA_DIR: used }, { obeyFileModes: true }), (err: Error) => {
        assert.match(err.message, /cannot open the data folder .*state: .*Permission denied/);
        assert.doesNotMatch(err.message, /in use by another process/, 'a permission problem is not reported as a lock held');
        return true;
      });
    } finally {
      execFileSync('chmod', ['-R', 'u+w', fresh, used]);
      rmSync(fresh, { recursive: true, force: true });
      rmSync(used, { recursive: true, force: true });
    }
  });
});
