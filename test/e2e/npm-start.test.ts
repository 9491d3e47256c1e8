// What the README promises: `npm start` with no configuration file serves a charger.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { freePort } from '../helpers/net.ts';
import { tempDir } from '../helpers/gateway.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));


describe('npm start', () => {
  const dataDir = tempDir('cgw-start-');
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts a working node with the embedded defaults and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const started = Date.now();
    // Only the port and data folder differ from a fresh clone's defaults, so tests can run side by side.
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, CGW_OCPP_PORT: String(port), CGW_DATA_DIR: dataDir, CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', CGW_ADMIN_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    child.stdout.on('data', (c: Buffer) => { log += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { log += c.toString(); });
    try {
      const deadline = Date.now() + 30_000;
      while (!log.includes('"gateway started"')) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `node did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(log, /OPEN REGISTRATION/, 'open registration is announced loudly');
      const cp = await connectRpcClient(`ws://127.0.0.1:${port}/ocpp`, 'FRESH-1', 'ocpp1.6');
      const boot = await cp.call('BootNotification', BOOT_16);
      assert.equal(boot.status, 'Accepted');
      console.log(`# npm start served a charger ${Date.now() - started} ms after launch`);
      await cp.close();
      process.kill(-child.pid!, 'SIGTERM');
      // npm exits as soon as it has passed the signal on; the node finishes its own shutdown.
      const stopDeadline = Date.now() + 15_000;
      while (!log.includes('"gateway stopped"')) {
        assert.ok(Date.now() < stopDeadline, `the node did not stop cleanly:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
