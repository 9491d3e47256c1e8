// A firmware rollout across a kill -9 of the node (its own process): a station that took its
// update before the crash is not sent it again after the restart (seen: a second UpdateFirmware
// with a new request id), and one whose answer never came is asked again.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { adminApi } from '../helpers/admin.ts';
import { tempDir } from '../helpers/gateway.ts';
import { freePort } from '../helpers/net.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

describe('firmware rollout across a crash', () => {
  const dataDir = tempDir('cgw-rollout-');
  let gateway: GatewayProcess | undefined;
  const clients: any[] = [];
  after(async () => {
    for (const c of clients) await c.close({ force: true }).catch(() => undefined);
    await gateway?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends each station its update once, also when the node is killed in the middle of a rollout', async () => {
    const env = { CGW_DATA_DIR: dataDir, CGW_OCPP_PORT: String(await freePort()), CGW_STATIONS_CONFIGURATION_READ_ON_CONNECT: 'false' };
    gateway = await spawnGateway(env);
    const received: Record<string, number[]> = { 'RO-1': [], 'RO-2': [] };
    for (const identity of ['RO-1', 'RO-2']) {
      // They reconnect by themselves, as chargers do.
      const client = await connectRpcClient(gateway.ocppUrl, identity, 'ocpp1.6', { reconnect: true, backoff: { initialDelay: 200, maxDelay: 500 } });
      clients.push(client);
      client.handle('UpdateFirmware', async () => {
        received[identity]!.push(Date.now());
        // RO-2 takes its time to answer: the node is killed meanwhile.
        if (identity === 'RO-2' && received[identity]!.length === 1) await new Promise((r) => setTimeout(r, 20_000));
        return {};
      });
      client.handle('GetLocalListVersion', () => ({ listVersion: 0 }));
      client.on('open', () => { void client.call('BootNotification', BOOT_16).catch(() => undefined); });
      await client.call('BootNotification', BOOT_16);
    }
    const api = adminApi(() => gateway!.admin, () => dataDir);
    const image = randomBytes(10_000);
    assert.equal((await api('POST', '/api/firmware?name=ro.bin', image)).status, 201);
    const rollout = await api('POST', '/api/rollouts', { image: createHash('sha256').update(image).digest('hex'), stations: ['RO-1', 'RO-2'], maxParallel: 2 });
    assert.equal(rollout.status, 201, JSON.stringify(rollout.body));
    await eventually(() => received['RO-2']!.length === 1, 10_000, 'RO-2 was never asked');
    assert.equal(received['RO-1']!.length, 1);

    await gateway.kill('SIGKILL');
    gateway = await spawnGateway(env);
    // After the restart the rollout runs on: RO-2, whose answer never came, is asked again.
    await eventually(() => received['RO-2']!.length === 2, 20_000, 'RO-2 was not asked again after the restart');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(received['RO-1']!.length, 1, 'RO-1 took its update before the crash: it is not sent it again');
    const after = (await api('GET', `/api/rollouts/${rollout.body.id}`)).body;
    assert.deepEqual(after.stations.map((s: any) => [s.identity, s.state]), [['RO-1', 'updating'], ['RO-2', 'updating']]);
  });
});
