// The README's walkthrough, as a user would type it: start the node, connect the simulated
// station, charge with the consumer CLI, and see it on the dashboard's data. All separate processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/gateway.ts';
import { freePort } from '../helpers/net.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  return cliWith({}, ...args);
}

async function cliWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, out };
}

describe('the README walkthrough', () => {
  const dataDir = tempDir('cgw-tour-');
  let gateway: GatewayProcess;
  let station: ReturnType<typeof spawn>;
  let stationLog = '';
  before(async () => {
    // Not the default ports: the simulated station finds the node from the same configuration.
    const env = { CGW_DATA_DIR: dataDir, CGW_OCPP_PORT: String(await freePort()) };
    gateway = await spawnGateway(env);
    station = spawn(process.execPath, [CLI, 'simulate-station', 'CP01', '--power-kw', '22'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    station.stdout!.on('data', (c: Buffer) => { stationLog += c.toString(); });
    await eventually(() => stationLog.includes('Accepted'), 20_000, `the simulated station did not connect:\n${stationLog}`);
  });
  after(async () => {
    station?.kill('SIGINT');
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('charges on the simulated station from the consumer CLI and shows it on the dashboard data', async () => {
    const keygen = await cli('consumer', 'keygen');
    const { seed } = JSON.parse(keygen.out);
    const wallet = ['--gateway', gateway.p2p[0]!, '--seed', seed];
    assert.deepEqual(JSON.parse((await cli('consumer', 'availability', 'CP01', '1', ...wallet)).out), { available: true, reason: 'available' });
    assert.equal((await cli('consumer', 'authorize', 'CP01', ...wallet)).code, 0);
    const started = await cli('consumer', 'start', 'CP01', '1', ...wallet);
    assert.equal(started.code, 0, started.out);
    await eventually(() => stationLog.includes('charging on connector 1'), 10_000);

    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const dashboard = async (): Promise<any> => (await fetch(`${gateway.admin}/api/dashboard`, { headers: { Authorization: `Bearer ${token}` } })).json();
    const charging = await eventually(async () => {
      const s = (await dashboard()).stations.find((x: any) => x.identity === 'CP01');
      return s?.sessions[0]?.energyWh > 0 ? s : undefined;
    }, 15_000, 'no energy on the dashboard');
    assert.equal(charging.connectors[0].status, 'Charging');
    assert.equal(charging.sessions[0].state, 'charging');

    const stopped = await cli('consumer', 'stop', 'CP01', '1', ...wallet);
    assert.equal(stopped.code, 0, stopped.out);
    const { receipt } = JSON.parse(stopped.out);
    assert.ok(receipt.energyWh > 0);
    assert.match(receipt.total.text, /^[\d.]+ PEAQ$/);
    await eventually(() => stationLog.includes('stopped connector 1'), 10_000);
  });

  it('lets an operator reset the simulated station and send it commands from the CLI (Operating chargers)', async () => {
    const env = { CGW_DATA_DIR: dataDir, CGW_ADMIN_PORT: new URL(gateway.admin).port };
    const json = async (...args: string[]): Promise<any> => {
      const r = await cliWith(env, ...args);
      assert.equal(r.code, 0, r.out);
      return JSON.parse(r.out);
    };
    assert.ok((await json('station', 'actions', 'CP01')).actions.includes('GetConfiguration'));
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const bootedAt = async (): Promise<string> => ((await (await fetch(`${gateway.admin}/api/stations/CP01`, { headers: { Authorization: `Bearer ${token}` } })).json()) as any).bootReceivedAt;
    const before = await bootedAt();
    assert.deepEqual(await json('station', 'reset', 'CP01', '--hard'), { result: 'Accepted' });
    await eventually(() => stationLog.includes('rebooting (hard reset)'), 10_000, stationLog);
    await eventually(async () => (await bootedAt()) > before, 10_000, 'the node did not see the station boot again');
    assert.deepEqual(await json('station', 'clear-cache', 'CP01'), { result: 'Accepted' });
    // A wrong command line is refused with what is wrong, before anything is sent.
    const ignored = await cliWith(env, 'station', 'clear-cache', 'CP01', '--hard');
    assert.deepEqual([ignored.code, ignored.out.trim()], [2, 'station clear-cache takes no --hard']);
    const short = await cliWith(env, 'station', 'reserve', 'CP01', '1');
    assert.deepEqual([short.code, short.out.trim()], [2, 'station reserve needs IDTAG: station reserve IDENTITY CONNECTOR IDTAG']);
    assert.deepEqual(await json('station', 'data-transfer', 'CP01', 'com.example'), { result: { status: 'UnknownVendorId' } });
    const config = await json('station', 'call', 'CP01', 'GetConfiguration', '{"key":["SendLocalListMaxLength"]}');
    assert.equal(config.response.configurationKey[0].value, '50');
    // Its configuration was read when it connected; a change says when it needs a reboot.
    const settings = await eventually(async () => {
      const r = await cliWith(env, 'station', 'config', 'CP01', 'Heartbeat');
      return r.code === 0 ? JSON.parse(r.out) : undefined;
    }, 10_000, 'the configuration was not read');
    assert.deepEqual(settings.variables.map((v: any) => [v.name, v.value]), [['HeartbeatInterval', '300']]);
    assert.deepEqual(await json('station', 'config-set', 'CP01', 'WebSocketPingInterval', '60'), { name: 'WebSocketPingInterval', status: 'RebootRequired', rebootRequired: true });
    assert.equal((await json('station', 'config-refresh', 'CP01')).variables, 5);
    assert.deepEqual((await json('station', 'config-diff', 'CP01')).changes, [{ name: 'WebSocketPingInterval', before: '30 (60 after a reboot)', after: '60' }], 'read back as the station reports it');
  });

  it('updates the simulated station\'s firmware and fetches its diagnostics from the CLI (Operating chargers)', async () => {
    const env = { CGW_DATA_DIR: dataDir, CGW_ADMIN_PORT: new URL(gateway.admin).port };
    const json = async (...args: string[]): Promise<any> => {
      const r = await cliWith(env, ...args);
      assert.equal(r.code, 0, r.out);
      return JSON.parse(r.out);
    };
    const file = join(dataDir, 'cp-fw-1.1.bin');
    writeFileSync(file, randomBytes(200_000));
    const image = await json('firmware', 'upload', file);
    assert.equal(image.name, 'cp-fw-1.1.bin');
    assert.equal((await json('firmware', 'install', 'CP01', 'cp-fw-1.1.bin')).answer, 'Accepted');
    await eventually(() => stationLog.includes('firmware installed'), 15_000, stationLog);
    assert.ok(stationLog.includes(`sha256 ${image.id}`), 'the station downloaded the very image');
    const { update } = await eventually(async () => {
      const r = await json('firmware', 'status', 'CP01');
      return r.update.status === 'Installed' ? r : undefined;
    }, 10_000, 'no Installed');
    assert.deepEqual(update.history.map((h: any) => h.status), ['Accepted', 'Downloading', 'Downloaded', 'Installing', 'Installed']);

    const asked = await json('station', 'get-log', 'CP01');
    assert.deepEqual([asked.logType, asked.status], ['Diagnostics', 'Accepted']);
    await eventually(async () => (await json('station', 'logs', 'CP01'))[0].receivedAt, 10_000, 'no diagnostics arrived');
    const out = join(dataDir, 'diagnostics.log');
    assert.equal((await cliWith(env, 'station', 'log-file', 'CP01', String(asked.requestId), '--out', out)).code, 0);
    assert.match(readFileSync(out, 'utf8'), /CP01 diagnostics/);
  });

  it('simulates a 2.0.1 station with a password, which it never prints', async () => {
    const dir = tempDir('cgw-tour-201-');
    const env = {
      CGW_DATA_DIR: dir, CGW_OCPP_PORT: String(await freePort()), CGW_STATIONS_REGISTRATION: 'closed',
      CGW_STATIONS_LIST: JSON.stringify([{ identity: 'CP201', securityProfile: 1, password: 'sixteen-char-key' }]),
    };
    const node = await spawnGateway(env);
    let log = '';
    const sim = spawn(process.execPath, [CLI, 'simulate-station', 'CP201', '--ocpp', '2.0.1', '--password', 'sixteen-char-key'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    sim.stdout!.on('data', (c: Buffer) => { log += c.toString(); });
    sim.stderr!.on('data', (c: Buffer) => { log += c.toString(); });
    try {
      await eventually(() => log.includes('Accepted'), 20_000, `the 2.0.1 station did not connect:\n${log}`);
      assert.match(log, /OCPP 2\.0\.1, basic auth/);
      assert.doesNotMatch(log, /sixteen-char-key/);
      const keygen = await cli('consumer', 'keygen');
      const wallet = ['--gateway', node.p2p[0]!, '--seed', JSON.parse(keygen.out).seed];
      assert.equal((await cli('consumer', 'authorize', 'CP201', ...wallet)).code, 0);
      assert.equal((await cli('consumer', 'start', 'CP201', '1', ...wallet)).code, 0);
      await eventually(() => log.includes('charging on connector 1'), 10_000);
      const stopped = await cli('consumer', 'stop', 'CP201', '1', ...wallet);
      assert.equal(stopped.code, 0, stopped.out);
      await eventually(() => log.includes('stopped connector 1'), 10_000);
      // Its log comes as a form upload (GetLog DiagnosticsLog).
      const adminEnv = { ...env, CGW_ADMIN_PORT: new URL(node.admin).port };
      const asked = JSON.parse((await cliWith(adminEnv, 'station', 'get-log', 'CP201')).out);
      assert.deepEqual([asked.logType, asked.status], ['DiagnosticsLog', 'Accepted']);
      await eventually(async () => JSON.parse((await cliWith(adminEnv, 'station', 'logs', 'CP201')).out)[0].status === 'Uploaded', 10_000, `no log:\n${log}`);
      const file = await cliWith(adminEnv, 'station', 'log-file', 'CP201', String(asked.requestId));
      assert.match(file.out, /CP201 DiagnosticsLog/);
      // A monitor, and the event the station reports for it.
      const monitor = JSON.parse((await cliWith(adminEnv, 'station', 'monitor', 'CP201', 'EVSE', 'Power', 'UpperThreshold', '22000', '--evse', '1')).out);
      assert.equal(monitor.status, 'Accepted');
      const events = await eventually(async () => {
        const found = JSON.parse((await cliWith(adminEnv, 'station', 'events', 'CP201', '--variable', 'Power')).out) as any[];
        return found.length ? found : undefined;
      }, 10_000, 'no event for the monitor');
      assert.deepEqual([events[0].component, events[0].variableMonitoringId], ['EVSE', monitor.id]);
    } finally {
      sim.kill('SIGINT');
      await node.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
