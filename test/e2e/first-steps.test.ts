// What a first-time operator runs into: stopping the node the way a supervisor does, finding
// its address and token, reading why a station was refused, and the metric names dashboards use.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/gateway.ts';
import { freePort } from '../helpers/net.ts';
import { NODE_FLAGS } from '../../gateway/node-flags.js';
import { spawnGateway } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/charging-gateway.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

/** Every process whose command line runs the node's CLI with this data folder. */
const nodesOf = (dataDir: string): string[] => {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes('gateway/cli.ts') && l.includes(' start')).filter((l) => {
    const pid = l.trim().split(/\s+/)[0]!;
    try {
      return execFileSync('cat', [`/proc/${pid}/environ`]).toString().includes(`CGW_DATA_DIR=${dataDir}`);
    } catch {
      return false;
    }
  });
};

describe('first steps', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  // A supervisor signals the process it started, not its whole group (seen: the node was orphaned).
  const starters: [string, string[], NodeJS.ProcessEnv][] = [
    ['npm start', ['npm', 'start', '--silent'], {}],
    // The installed binary; under Node 20 (as on a fresh machine) it runs the node as its child.
    ['npx charging-gateway start (Node 20)', ['/usr/bin/node', BIN, 'start'], {}],
    // On a current Node it runs the node as its child too, to give it its V8 flags.
    ['npx charging-gateway start (Node 22)', [process.execPath, BIN, 'start'], {}],
  ];
  for (const [name, command, extra] of starters) {
    it(`${name}: SIGTERM to the started process stops the node, none is left behind`, async () => {
      const dataDir = tempDir('cgw-signal-');
      dirs.push(dataDir);
      if (command[0] === '/usr/bin/node') {
        // This case is about the bin running the node as its child, which it does only on a Node without type stripping.
        const version = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).stdout.trim();
        assert.ok(Number(version.slice(1).split('.')[0]) < 22, `/usr/bin/node is ${version}, not a Node 20: this case would not test the child path`);
      }
      const env = { ...process.env, ...extra, CGW_DATA_DIR: dataDir, CGW_OCPP_PORT: String(await freePort()), CGW_ADMIN_PORT: '0', CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]' };
      const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout.on('data', (c: Buffer) => { log += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { log += c.toString(); });
      await eventually(() => log.includes('"gateway started"'), 30_000, `did not start:\n${log}`);
      assert.equal(nodesOf(dataDir).length, 1);
      for (const flag of NODE_FLAGS) assert.ok(nodesOf(dataDir)[0]!.includes(flag), `the node runs with ${flag}: ${nodesOf(dataDir)[0]}`);
      child.kill('SIGTERM');
      await once(child, 'exit');
      await eventually(() => nodesOf(dataDir).length === 0, 15_000, `a node was left running: ${nodesOf(dataDir).join('; ')}`);
      assert.match(log, /"gateway stopped"/, 'it stopped cleanly');
    });
  }

  it('`keys` prints where wallets dial the node and where the admin token is; an announced address is used', async () => {
    const dataDir = tempDir('cgw-keys-');
    dirs.push(dataDir);
    const keys = JSON.parse(spawnSync(process.execPath, [CLI, 'keys'], { encoding: 'utf8', env: { ...process.env, CGW_DATA_DIR: dataDir } }).stdout);
    assert.ok(keys.p2p.includes(`/ip4/127.0.0.1/tcp/10333/p2p/${keys.peerId}`), JSON.stringify(keys.p2p));
    assert.equal(keys.adminTokenFile, `${dataDir}/admin.token`);
    const announced = JSON.parse(spawnSync(process.execPath, [CLI, 'keys'], { encoding: 'utf8', env: { ...process.env, CGW_DATA_DIR: dataDir, CGW_P2P_ANNOUNCE: '["/ip4/203.0.113.7/tcp/10333"]' } }).stdout);
    assert.deepEqual(announced.p2p, [`/ip4/203.0.113.7/tcp/10333/p2p/${keys.peerId}`]);
    const node = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_ANNOUNCE: '["/ip4/203.0.113.7/tcp/10333"]' });
    try {
      assert.deepEqual(node.p2p, [`/ip4/203.0.113.7/tcp/10333/p2p/${keys.peerId}`], 'the node tells peers the announced address');
      assert.ok(node.output.some((l) => l.includes(`"adminTokenFile":"${dataDir}/admin.token"`)), 'the start line names the token file');
      const metrics = await (await fetch(`${node.admin}/metrics`)).text();
      assert.match(metrics, /^process_cpu_seconds_total /m, 'the standard process metric names');
      assert.match(metrics, /^nodejs_heap_size_used_bytes /m);
      assert.doesNotMatch(metrics, /cgw_process_/);
    } finally {
      await node.kill('SIGTERM');
    }
  });

  it('tells a refused station why, in the answer (seen: an empty 404; the reason only in the log)', async () => {
    const dataDir = tempDir('cgw-refused-');
    dirs.push(dataDir);
    const node = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_STATIONS_REGISTRATION: 'closed', CGW_STATIONS_LIST: JSON.stringify([{ identity: 'KNOWN', securityProfile: 1, password: 'sixteen-char-key' }]) });
    try {
      const upgrade = async (path: string, auth?: string): Promise<string> => {
        const { port } = new URL(node.ocppUrl);
        const socket = connect({ host: '127.0.0.1', port: Number(port) });
        await once(socket, 'connect');
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n${auth ? `Authorization: Basic ${Buffer.from(auth).toString('base64')}\r\n` : ''}\r\n`);
        let answer = '';
        socket.on('data', (c: Buffer) => { answer += c.toString(); });
        await once(socket, 'close');
        return answer;
      };
      assert.match(await upgrade('/ocpp/STRANGER'), /^HTTP\/1\.1 404 [\s\S]*\r\n\r\nunknown station STRANGER\n$/);
      assert.match(await upgrade('/ocpp/KNOWN'), /^HTTP\/1\.1 401 [\s\S]*basic authentication required/);
      assert.match(await upgrade('/ocpp/KNOWN', 'KNOWN:wrong'), /^HTTP\/1\.1 401 [\s\S]*wrong password/);
      assert.match(await upgrade('/ocpp/a%3Ab'), /^HTTP\/1\.1 400 [\s\S]*\r\n\r\n.*':'/);
    } finally {
      await node.kill('SIGTERM');
    }
  });
});
