// What a station (or anyone with open registration) can make the node do wrong, over real
// sockets with ocpp-rpc charge points (strict): transaction ids taken over, ids reused after
// they ended, authorizations piled up, data readable by others.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { encodeAddress } from '@polkadot/util-crypto';
import WebSocket from 'ws';
import { once } from 'node:events';
import { Charger } from '../helpers/charger.ts';
import { IdleStation } from '../helpers/idle-station.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));
const T0 = Date.parse('2026-11-21T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('hostile stations', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({
      ocpp: { acceptUnknownIdTags: true, bootTimeoutSec: 0.5 }, stations: { maxUnlisted: 8 },
      sessions: { maxPendingAuthorizations: 3 }, storage: { reportMaxItemBytes: 4096, reportBytesPerStation: 65_536 },
    });
  });
  after(() => gw.cleanup());

  it('never gives a new transaction the id of an orphan stop, nor files readings of a never-issued id under it (seen: overwritten, readings inherited)', async () => {
    const cp = await Charger.connect(gw.url, 'ORPHAN-CP', 'ocpp1.6');
    const c = cp.client;
    const first = (await c.call('StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: at(1) })).transactionId as number;
    await c.call('StopTransaction', { transactionId: first, meterStop: 100, timestamp: at(2) });
    // A stop for the id the counter would give next, and readings for it, before it was issued.
    const next = first + 1;
    await c.call('StopTransaction', { transactionId: next, meterStop: 5_000, timestamp: at(3), reason: 'PowerLoss' });
    await c.call('MeterValues', { connectorId: 1, transactionId: next + 1, meterValue: [{ timestamp: at(4), sampledValue: [{ value: '123456', measurand: 'Energy.Active.Import.Register' }] }] });
    const later = (await c.call('StartTransaction', { connectorId: 1, idTag: 'B', meterStart: 200, timestamp: at(5) })).transactionId as number;
    assert.notEqual(later, next, 'the orphan\'s id is not given out');
    await c.call('StopTransaction', { transactionId: later, meterStop: 300, timestamp: at(6) });

    const orphan = await gw.store.stations.loadFinished('ORPHAN-CP', next);
    assert.equal(orphan?.orphan, true);
    assert.equal(orphan?.endMeter, 5_000, 'the orphan record is intact');
    assert.equal((await gw.store.stations.loadFinished('ORPHAN-CP', later))?.endMeter, 300);
    assert.deepEqual(await gw.store.stations.readings('ORPHAN-CP', later), [], 'the new transaction inherited no readings');
    assert.deepEqual(await gw.store.stations.readings('ORPHAN-CP', 0), [], 'no reading is filed outside a transaction');
    const kept = (await gw.store.stations.reports('ORPHAN-CP')).filter((r) => r.action === 'MeterValues').map((r) => JSON.parse(r.payloadJson));
    assert.deepEqual(kept, [{ connectorId: 1, transactionId: next + 1, meterValue: [{ timestamp: at(4), sampledValue: [{ value: '123456', measurand: 'Energy.Active.Import.Register' }] }] }], 'kept as the station sent them, within its report quota');

    // A megabyte in a reading, for a never-issued id and in a running transaction (seen: 5 MB stored whole).
    const huge = [{ timestamp: at(7), sampledValue: [{ value: '1'.repeat(1_000_000), measurand: 'Energy.Active.Import.Register' }] }];
    await c.call('MeterValues', { connectorId: 1, transactionId: 999, meterValue: huge });
    const running = (await c.call('StartTransaction', { connectorId: 1, idTag: 'C', meterStart: 0, timestamp: at(8) })).transactionId as number;
    await c.call('MeterValues', { connectorId: 1, transactionId: running, meterValue: huge });
    const stub = JSON.parse((await gw.store.stations.reports('ORPHAN-CP')).at(-1)!.payloadJson);
    assert.deepEqual([stub.truncated, stub.bytes > 1_000_000], [true, true]);
    const [reading] = await gw.store.stations.readings('ORPHAN-CP', running);
    assert.ok(reading!.sampledValuesJson.length < 200, 'the reading\'s raw form is kept as its size and hash');
    assert.equal(JSON.parse(reading!.sampledValuesJson).truncated, true);
    await cp.close();
  });

  it('2.0.1: a transactionId reused after it ended is a new transaction, not a lost "replay"', async () => {
    const cp = await Charger.connect(gw.url, 'REUSE-201', 'ocpp2.0.1');
    const event = (eventType: string, seqNo: number, minutes: number, wh: number) => cp.client.call('TransactionEvent', {
      eventType, timestamp: at(minutes), triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic', seqNo,
      transactionInfo: { transactionId: 'T-1', ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
      ...(eventType === 'Started' ? { idToken: { idToken: 'TAG', type: 'ISO14443' } } : {}),
      evse: { id: 1, connectorId: 1 }, meterValue: [{ timestamp: at(minutes), sampledValue: [{ value: wh }] }],
    });
    await event('Started', 0, 1, 0);
    await event('Ended', 1, 2, 1_000);
    await event('Started', 0, 1, 0); // the same Started again (a retry): nothing new
    // The station starts a new transaction under the same id.
    await event('Started', 0, 10, 5_000);
    await event('Ended', 1, 11, 7_000);
    // A late event of that one (made before its end) is kept with it; then the id is reused by
    // a transaction whose first event we get is an Updated (its Started never came).
    await event('Updated', 2, 10.5, 6_000);
    await event('Updated', 0, 20, 9_000);
    await event('Ended', 1, 21, 9_500);
    const finished = (await gw.store.stations.finishedTransactions('REUSE-201')).filter((t) => t.ocppTransactionId === 'T-1');
    assert.deepEqual(finished.map((t) => [t.startTime, t.endMeter]), [[at(1), 1_000], [at(10), 7_000], [at(20), 9_500]], 'three transactions, each with its own energy');
    assert.equal((await gw.store.stations.readings('REUSE-201', finished[1]!.id)).length, 3, 'the late Updated stayed with its transaction');
    await cp.close();
  });

  it('takes at most so many consumer authorizations per station that have not started, and one session per key however many ask at once', async () => {
    const cp = await Charger.connect(gw.url, 'PENDING-CP', 'ocpp1.6');
    await cp.status(1, 'Available');
    const key = () => encodeAddress(randomBytes(32), 42);
    const same = key();
    const together = await Promise.all([1, 2, 3, 4].map(() => gw.bridge.authorize({ station: 'PENDING-CP', consumerKey: same })));
    assert.equal(new Set(together.map((s) => s.id)).size, 1, 'one session for one key');
    await gw.bridge.authorize({ station: 'PENDING-CP', consumerKey: key() });
    await gw.bridge.authorize({ station: 'PENDING-CP', consumerKey: key() });
    await assert.rejects(gw.bridge.authorize({ station: 'PENDING-CP', consumerKey: key() }), (err: any) => {
      assert.equal(err.code, 'TooManyAuthorizations');
      assert.match(err.message, /PENDING-CP has 3 authorizations waiting to start/);
      return true;
    });
    assert.equal(cp.list.size, 3, 'the refused key never reached the station\'s list');
    await cp.close();
  });

  it('keeps what a station sends within its quota: big items as a stub, the oldest dropped (seen: 40 × 4 MB DataTransfers stored whole)', async () => {
    const cp = await Charger.connect(gw.url, 'FLOOD-CP', 'ocpp1.6');
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 40; i++) assert.equal((await cp.client.call('DataTransfer', { vendorId: 'flood', messageId: String(i), data: big })).status, 'UnknownVendorId');
    for (let i = 0; i < 200; i++) await cp.client.call('DataTransfer', { vendorId: 'flood', messageId: `small-${i}`, data: 'y'.repeat(1_000) });
    const reports = await gw.store.stations.reports('FLOOD-CP');
    const stored = reports.reduce((n, r) => n + Buffer.byteLength(r.payloadJson), 0);
    assert.ok(stored <= 65_536, `${stored} bytes kept, the budget is 65536`);
    assert.ok(reports.every((r) => Buffer.byteLength(r.payloadJson) <= 4096), 'no item over the cap');
    assert.match(reports.at(-1)!.payloadJson, /small-199/, 'the newest are kept');
    assert.ok(!reports.some((r) => r.payloadJson.includes('"messageId":"small-0"')), 'the oldest were dropped');
    const token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    const view = await (await fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/FLOOD-CP/reports?limit=1`, { headers: { Authorization: `Bearer ${token}` } })).json() as any;
    assert.equal(view.budget, 65_536);
    assert.ok(view.bytes <= 65_536 && view.bytes > 0);
    assert.equal(view.items[0].payload.messageId, 'small-199');
    const metrics = await (await fetch(`http://127.0.0.1:${gw.adminPort}/metrics`)).text();
    assert.match(metrics, /^cgw_station_reports_truncated_total\{action="DataTransfer"\} 40$/m);
    assert.match(metrics, /^cgw_station_reports_dropped_total [1-9]\d*$/m);
    await cp.close();
  });

  it('catches a station up once per connection, however often it boots on it (seen: a reconciliation queued per boot, without bound)', async () => {
    const station = await IdleStation.connect(`${gw.url}/REBOOTING-CP`);
    const boots = await Promise.all(Array.from({ length: 100 }, () => station.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })));
    assert.ok(boots.every(([type]) => type === 3), 'every boot answered');
    // Settled: no new call from the node for half a second.
    let seen = -1;
    await eventually(async () => {
      const now = station.callsReceived.get('GetLocalListVersion') ?? 0;
      const settled = now === seen;
      seen = now;
      await new Promise((r) => setTimeout(r, 500));
      return settled && now > 0;
    }, 20_000, 'the node never stopped asking');
    assert.equal(seen, 1, 'the local list checked once for 100 boots on one connection');
    station.ws.close();
    // A new connection of the station is caught up again (its first accepted boot, or at
    // connect for a station accepted before): once, not once at connect and again at its boot.
    const again = await IdleStation.connect(`${gw.url}/REBOOTING-CP`);
    await again.boot();
    await again.boot();
    await eventually(() => (again.callsReceived.get('GetLocalListVersion') ?? 0) > 0, 10_000, 'the new connection was not caught up');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(again.callsReceived.get('GetLocalListVersion'), 1, 'once for the new connection');
    again.ws.close();
  });

  it('closes a socket that never boots; keeps at most so many unlisted identities; an operator deletes stations (seen: kept forever)', async () => {
    const silent = new WebSocket(`${gw.url}/SILENT-CP`, 'ocpp1.6');
    await once(silent, 'open');
    const [code] = (await once(silent, 'close')) as [number];
    assert.equal(code, 1008, 'closed for sending no BootNotification');
    // A station accepted before may reconnect without booting again: it is kept.
    const known = await Charger.connect(gw.url, 'KNOWN-CP', 'ocpp1.6');
    await known.close();
    const again = new WebSocket(`${gw.url}/KNOWN-CP`, 'ocpp1.6');
    await once(again, 'open');
    // A silent stranger that connects after it is closed first: by then KNOWN-CP's boot
    // timeout would have run out too.
    const later = new WebSocket(`${gw.url}/SILENT-CP-2`, 'ocpp1.6');
    assert.equal(((await once(later, 'close')) as [number])[0], 1008);
    assert.equal(again.readyState, WebSocket.OPEN);
    again.close();

    const token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    const api = (method: string, path: string) => fetch(`http://127.0.0.1:${gw.adminPort}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
    const made: string[] = [];
    for (let i = 0; gw.service.identities().length < 8; i++) {
      const c = await Charger.connect(gw.url, `FILL-${i}`, 'ocpp1.6');
      made.push(`FILL-${i}`);
      await c.close();
    }
    const refused = new WebSocket(`${gw.url}/ONE-TOO-MANY`, 'ocpp1.6');
    refused.on('error', () => {});
    const [, response] = (await once(refused, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 403);
    refused.terminate();

    const bySilence = await (await api('GET', '/api/stations?sort=lastSeen')).json() as { identity: string; lastSeenAt: string }[];
    assert.deepEqual(bySilence.map((s) => s.lastSeenAt), [...bySilence.map((s) => s.lastSeenAt)].sort(), 'longest silent first');
    const busy = await api('DELETE', '/api/stations/PENDING-CP');
    assert.equal(busy.status, 409, 'a station with sessions is not deleted');
    assert.equal(((await busy.json()) as { code: string }).code, 'Conflict');
    const unknown = await api('DELETE', '/api/stations/NEVER-SEEN');
    assert.deepEqual([unknown.status, ((await unknown.json()) as { code: string }).code], [404, 'UnknownStation']);
    // The CLI as its own process (asynchronously: the node runs in this one and must answer).
    const cli = spawn(process.execPath, [CLI, 'stations', 'delete', made[0]!], { env: { ...process.env, CGW_ADMIN_PORT: String(gw.adminPort), CGW_DATA_DIR: gw.config.dataDir } });
    let output = '';
    cli.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    cli.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    const [status] = (await once(cli, 'exit')) as [number];
    assert.equal(status, 0, output);
    assert.equal((await api('GET', `/api/stations/${made[0]}`)).status, 404);
    // Room for one: of five new identities at once, one gets in (seen: all of them).
    // RUSH-0 twice: the second connection replaces the first, whose end must not free the place.
    const sockets = [0, 0, 1, 2, 3, 4].map((i) => new WebSocket(`${gw.url}/RUSH-${i}`, 'ocpp1.6'));
    const rush = await Promise.all(sockets.map(async (ws) => {
      ws.on('error', () => {});
      return Promise.race([once(ws, 'open').then(() => 'open'), once(ws, 'unexpected-response').then(([, r]) => String((r as { statusCode: number }).statusCode))]);
    }));
    // Once RUSH-0's first connection was replaced, a newcomer still finds no room.
    const after = new WebSocket(`${gw.url}/RUSH-5`, 'ocpp1.6');
    after.on('error', () => {});
    const [, late] = (await once(after, 'unexpected-response')) as [unknown, { statusCode: number }];
    for (const ws of [...sockets, after]) ws.terminate();
    assert.deepEqual(rush.sort(), ['403', '403', '403', '403', 'open', 'open'], 'the cap holds for identities connecting at once');
    assert.equal(late.statusCode, 403, 'a replaced connection frees no place');
    // The one admitted left without booting: its place is free again.
    const room = await eventually(async () => Charger.connect(gw.url, 'ONE-TOO-MANY', 'ocpp1.6').catch(() => undefined), 15_000, 'no room once the one admitted had left');
    await room.close();
  });

  it('keeps the data folder to its user (0700, files 0600, whatever the umask) and prints no secret with `config`', async () => {
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
    const mode = (p: string) => statSync(p).mode & 0o777;
    // A folder an earlier version left open (0755, a 0644 file in it), and a umask that tightens nothing.
    const dataDir = tempDir('cgw-modes-');
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'left-over.json'), '{}');
    chmodSync(join(dataDir, 'left-over.json'), 0o644);
    const umask = process.umask(0);
    const node = await startTestGateway({}, dataDir);
    try {
      assert.equal(mode(dataDir), 0o700);
      for (const p of walk(dataDir)) assert.equal(mode(p), statSync(p).isDirectory() ? 0o700 : 0o600, `${p} is ${mode(p).toString(8)}`);
    } finally {
      await node.cleanup();
      process.umask(umask);
    }

    const printed = spawnSync(process.execPath, [CLI, 'config'], {
      encoding: 'utf8',
      env: {
        ...process.env, CGW_ADMIN_TOKEN: 'admin-secret-token', CGW_PNC_CONTRACT_BACKEND_TOKEN: 'backend-secret',
        CGW_STATIONS_LIST: JSON.stringify([{ identity: 'S1', securityProfile: 1, password: 'station-secret-1' }]),
      },
    });
    assert.equal(printed.status, 0, printed.stderr);
    for (const secret of ['admin-secret-token', 'backend-secret', 'station-secret-1']) assert.ok(!printed.stdout.includes(secret), `${secret} printed`);
    const shown = JSON.parse(printed.stdout);
    assert.equal(shown.admin.token, '***');
    assert.equal(shown.stations.list[0].password, '***');
  });
});
