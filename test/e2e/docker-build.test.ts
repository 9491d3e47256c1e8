// No Docker engine runs here, so this repeats the image's build steps as the Dockerfile writes
// them: the production install and the COPY layout in a clean folder, then starts the node
// from there. A runtime file that needs a devDependency, or a file the image forgets, fails it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { NODE_FLAGS } from '../../gateway/node-flags.js';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { freePort } from '../helpers/net.ts';
import { tempDir } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
const stage = (name: string) => dockerfile.split(/^FROM /m).find((s) => s.includes(` AS ${name}`))!;

/** Whether `docker build` leaves a path out of the context, by .dockerignore's patterns (the forms used there). */
function ignored(path: string, patterns: string[]): boolean {
  const toRegex = (p: string) => new RegExp(`^${p.split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('(?:.*/)?')}$`);
  const parts = path.split('/');
  // A pattern that matches a folder leaves out everything in it.
  return patterns.some((p) => parts.some((_, i) => toRegex(p).test(parts.slice(0, i + 1).join('/'))));
}

describe('the Docker image build steps', () => {
  it('keeps installed modules, a node\'s data and private keys out of the build context (seen: shipped the admin token and the gateway key)', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const secret of ['data/admin.token', 'data/gateway.key', 'data/state/000003.log', 'node_modules/ws/package.json', 'pki/cso-sub-ca.key', 'somewhere/server.key', 'pki/v2g-root.pem']) {
      assert.ok(ignored(secret, patterns), `${secret} would be in the image`);
    }
    for (const needed of ['package.json', 'package-lock.json', 'src/proto/codec.ts', 'gateway/cli.ts', 'proto/gateway.proto', 'chain/client.ts', 'bin/charging-gateway.js']) {
      assert.ok(!ignored(needed, patterns), `${needed} is left out`);
    }
  });

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
    for (const flag of NODE_FLAGS) assert.ok(cmd.includes(flag), `the image runs the node with ${flag}: ${cmd.join(' ')}`);

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
      await eventually(() => fetch(`http://127.0.0.1:${adminPort}/healthz`).then((r) => r.ok).catch(() => false), 30_000, `no /healthz:\n${log}`);
      // The image's HEALTHCHECK as written, with the configured admin port (seen: it asked 8080 whatever the configuration).
      const health = JSON.parse(/^\s*CMD (\[.+\])$/m.exec(stage('runtime').slice(stage('runtime').indexOf('HEALTHCHECK')))![1]!) as string[];
      const check = (port: number) => spawnSync(process.execPath, health.slice(1), { cwd: app, env: { PATH: process.env.PATH, CGW_DATA_DIR: data, CGW_ADMIN_PORT: String(port) }, encoding: 'utf8' });
      assert.equal(check(adminPort).status, 0, 'healthy on the configured port');
      assert.equal(check(await freePort()).status, 1, 'unhealthy where nothing answers');
      const cp = await connectRpcClient(`ws://127.0.0.1:${ocppPort}/ocpp`, 'IMAGE-1', 'ocpp1.6');
      assert.equal((await cp.call('BootNotification', BOOT_16)).status, 'Accepted');
      await cp.close();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
