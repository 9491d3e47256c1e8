// What anyone who can reach the OCPP port can try, over real sockets against the node as its
// own process: idle sockets that never send a byte, and wrong passwords as fast as they go.
// Attackers connect from other loopback addresses (127.0.0.2 and up) than the stations.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

/** Opens `n` TCP connections that never send a byte, from 127.0.0.<2…>, `perAddress` each. */
async function idleSockets(port: number, n: number, perAddress: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  await Promise.all(Array.from({ length: n }, (_, i) => new Promise<void>((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: `127.0.${2 + Math.floor(i / perAddress / 250)}.${2 + (Math.floor(i / perAddress) % 250)}` });
    s.on('error', () => {});
    s.once('connect', () => resolve());
    s.once('close', () => resolve());
    sockets.push(s);
  })));
  return sockets;
}

/** One CALL over a raw WebSocket; the answer frame, or the close code. */
function call(ws: WebSocket, id: string, action: string, payload: object): Promise<{ answer?: unknown[]; closed?: number }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(data.toString()) as unknown[];
      if (frame[1] !== id) return;
      ws.off('message', onMessage);
      resolve({ answer: frame });
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => resolve({ closed: code }));
    ws.send(JSON.stringify([2, id, action, payload]));
  });
}

/** The HTTP status of an upgrade attempt (101 when it succeeded). */
async function upgradeStatus(url: string, protocol: string, opts: WebSocket.ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(url, protocol, opts);
  ws.on('error', () => {});
  const status = await Promise.race([
    once(ws, 'open').then(() => 101),
    once(ws, 'unexpected-response').then(([, res]) => (res as { statusCode: number }).statusCode),
  ]);
  ws.terminate();
  return status;
}

describe('hostile connections', () => {
  const dirs: string[] = [];
  let gateway: GatewayProcess | undefined;
  after(async () => {
    await gateway?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('idle sockets beyond the open-file limit never starve storage; the node keeps serving and needs no restart (seen: 1011 for every station, 503 for good)', async (t) => {
    const dataDir = tempDir('cgw-fd-');
    dirs.push(dataDir);
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_OCPP_ACCEPT_UNKNOWN_ID_TAGS: 'true' }, { openFileLimit: 1024 });
    const port = Number(new URL(gateway.ocppUrl).port);
    const station = new WebSocket(`${gateway.ocppUrl}/FD-CP`, 'ocpp1.6');
    await once(station, 'open');
    assert.equal((await call(station, 'b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).answer?.[0], 3);
    const start = await call(station, 's', 'StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: '2026-11-21T10:00:00.000Z' });
    const transactionId = (start.answer?.[2] as { transactionId: number }).transactionId;

    // 1,224 sockets that never send a byte, more than the node's 1,024 descriptors.
    const attack = await idleSockets(port, 1_224, 18);
    // The sockets over the cap are closed by the node right after they connect: their close
    // reaches this side a moment after the connect did (seen: counted before it arrived).
    const { held } = await eventually(() => {
      const open = attack.filter((s) => !s.destroyed).length;
      return open < 1_224 ? { held: open } : undefined;
    }, 15_000, 'the node held every idle socket');
    // Storage keeps working: every message of the station is stored and answered.
    for (let i = 0; i < 20; i++) {
      const r = await call(station, `m${i}`, 'MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: new Date(Date.parse('2026-11-21T10:00:00Z') + (i + 1) * 60_000).toISOString(), sampledValue: [{ value: String(100 * (i + 1)) }] }] });
      assert.equal(r.answer?.[0], 3, `message ${i} answered, not ${JSON.stringify(r)}`);
    }
    assert.equal((await fetch(`${gateway.admin}/readyz`)).status, 200, 'ready throughout');
    const metrics = await (await fetch(`${gateway.admin}/metrics`)).text();
    assert.match(metrics, /^cgw_ocpp_connections_refused_total\{reason="(connections|pending)"\} [1-9]/m, 'sockets over the cap were refused at once');
    t.diagnostic(`1,224 idle sockets against a node limited to 1,024 descriptors: ${held} still open from the attacker's side (the kernel's accept queue included), the rest closed at once; 20 of 20 station messages stored and answered meanwhile`);

    for (const s of attack) s.destroy();
    await eventually(async () => (await upgradeStatus(`${gateway!.ocppUrl}/FD-NEW`, 'ocpp1.6')) === 101, 15_000, 'a new station could not connect after the attack');
    assert.equal(station.readyState, WebSocket.OPEN, 'the station stayed connected');
    assert.equal((await fetch(`${gateway.admin}/readyz`)).status, 200);
    station.close();
    await gateway.kill('SIGTERM');
    gateway = undefined;
  });

  it('wrong passwords are throttled per address and per station, off the event loop; a known station still gets in', async () => {
    const dataDir = tempDir('cgw-pw-');
    dirs.push(dataDir);
    gateway = await spawnGateway({
      CGW_DATA_DIR: dataDir, CGW_STATIONS_REGISTRATION: 'closed',
      CGW_STATIONS_LIST: JSON.stringify([{ identity: 'PW-CP', securityProfile: 1, password: 'the-right-password' }, { identity: 'PW-OTHER', securityProfile: 1, password: 'another-password' }]),
    });
    const auth = (identity: string, password: string) => ({ headers: { Authorization: `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}` } });
    const url = (identity: string) => `${gateway!.ocppUrl}/${identity}`;
    assert.equal(await upgradeStatus(url('PW-CP'), 'ocpp1.6', auth('PW-CP', 'the-right-password')), 101, 'the station connects');

    // One address guessing: after 10 wrong passwords it is answered 429 without a check.
    const fromAttacker = { localAddress: '127.0.0.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push(await upgradeStatus(url('PW-OTHER'), 'ocpp1.6', { ...auth('PW-OTHER', `guess-${i}`), ...fromAttacker }));
    assert.deepEqual(statuses, [...Array(10).fill(401), ...Array(5).fill(429)]);
    assert.equal(await upgradeStatus(url('PW-OTHER'), 'ocpp1.6', { ...auth('PW-OTHER', 'another-password'), ...fromAttacker }), 429, 'even the right password waits out the window from that address');
    assert.equal(await upgradeStatus(url('PW-OTHER'), 'ocpp1.6', auth('PW-OTHER', 'another-password')), 101, 'another address is not held back');

    // Many addresses guessing one station: the station is throttled, but a password verified
    // for it recently is remembered and still gets in (a real station reconnecting).
    await Promise.all(Array.from({ length: 30 }, (_, i) => upgradeStatus(url('PW-CP'), 'ocpp1.6', { ...auth('PW-CP', `guess-${i}`), localAddress: `127.0.1.${10 + i}` })));
    assert.equal(await upgradeStatus(url('PW-CP'), 'ocpp1.6', { ...auth('PW-CP', 'guess-x'), localAddress: '127.0.2.1' }), 429);
    assert.equal(await upgradeStatus(url('PW-CP'), 'ocpp1.6', auth('PW-CP', 'the-right-password')), 101, 'the known station reconnects');

    const metrics = await (await fetch(`${gateway.admin}/metrics`)).text();
    assert.match(metrics, /^cgw_ocpp_basic_auth_total\{outcome="throttled"\} ([1-9]\d*)$/m);
    assert.match(metrics, /^cgw_ocpp_basic_auth_total\{outcome="wrong"\} ([1-9]\d*)$/m);
  });
});
