// No Docker engine runs here, so this repeats the image's build steps as the Dockerfile writes
// them: the production install and the COPY layout in a clean folder, then starts the node
// from there. A runtime file that needs a devDependency, or a file the image forgets, fails it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { freePort } from '../helpers/net.ts';
import { tempDir } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
const stage = (name: string) => dockerfile.split(/^FROM /m).find((s) => s.includes(` AS ${name}`))!;

describe('the Docker image build steps', () => {
  const app = tempDir('cgw-image-');
  const data = tempDir('cgw-image-data-');
  after(() => {
    rmSync(app, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('installs production dependencies, copies the runtime layout and serves a charger from it', async () => {
    // The deps stage: its COPY and RUN lines, as written.
    for (const [, from] of stage('deps').matchAll(/^COPY (.+) \.\/$/gm)) for (const f of from!.split(' ')) cpSync(join(ROOT, f), join(app, f));
    const install = /^RUN (npm ci .+)$/m.exec(stage('deps'))![1]!;
    const npm = spawnSync('sh', ['-c', install], { cwd: app, encoding: 'utf8', timeout: 300_000 });
    assert.equal(npm.status, 0, npm.stderr);
    // The runtime stage's COPY lines (those not from another stage).
    for (const [, src, dest] of stage('runtime').matchAll(/^COPY (?!--from)(\S+) (\S+)$/gm)) cpSync(join(ROOT, src!), join(app, dest!), { recursive: true });
    const cmd = JSON.parse(/^CMD (\[.+\])$/m.exec(stage('runtime'))![1]!) as string[];
    assert.equal(cmd[0], 'node');

    const [ocppPort, adminPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, cmd.slice(1), {
      cwd: app,
      env: { PATH: process.env.PATH, CGW_DATA_DIR: data, CGW_OCPP_PORT: String(ocppPort), CGW_ADMIN_PORT: String(adminPort), CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (c: Buffer) => { log += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { log += c.toString(); });
    try {
      // The image's HEALTHCHECK: /healthz on the admin port.
      await eventually(() => fetch(`http://127.0.0.1:${adminPort}/healthz`).then((r) => r.ok).catch(() => false), 30_000, `no /healthz:\n${log}`);
      const cp = await connectRpcClient(`ws://127.0.0.1:${ocppPort}/ocpp`, 'IMAGE-1', 'ocpp1.6');
      assert.equal((await cp.call('BootNotification', BOOT_16)).status, 'Accepted');
      await cp.close();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
