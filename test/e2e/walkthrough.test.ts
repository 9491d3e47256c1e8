// The README's walkthrough, as a user would type it: start the node, connect the simulated
// station, charge with the consumer CLI, and see it on the dashboard's data. All separate processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir });
    station = spawn(process.execPath, [CLI, 'simulate-station', 'CP01', '--url', gateway.ocppUrl, '--power-kw', '22'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
});
